"""One of the concurrent writers of test_store_concurrency: waits for the start signal, then records
N runs (3 epochs each) through the public store API. Run as a script: DB WRITER N START_FILE."""

import os
import sys
import time

from chainrule.runstore import RunStore

db, writer, n, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
while not os.path.exists(start):  # every writer opens the store (and may create it) at the same moment
    time.sleep(0.005)
store = RunStore(db)
for i in range(n):
    run_id = store.start_run({"writer": writer, "i": i}, kind="test")
    for epoch in (1, 2, 3):
        store.log_epoch(run_id, epoch, {"loss": 1.0 / epoch, "writer": writer})
    assert store.finish_run(run_id, {"test": {"accuracy": i / n}})
print(f"writer {writer}: {n} runs")
