"""The simplest loader a team would write instead of ours, for `Benchmarks loader --peer`.

confluent-kafka consumes the topics; google-cloud-bigquery's insert_rows_json streams each batch with the
whole envelope as one STRING column and insertIds from the Kafka coordinates; offsets are committed after
each insert. No typing, no schema, no dead letters, no exactly-once: it is here only as a CPU yardstick.
Prints `rows=N cpu=S` (user + system seconds of this process) when it has loaded --rows rows.
"""
import argparse
import resource

from confluent_kafka import Consumer
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

parser = argparse.ArgumentParser()
parser.add_argument("--bootstrap", required=True)
parser.add_argument("--topics", required=True, help="comma-separated")
parser.add_argument("--endpoint", required=True, help="http://HOST:PORT of the BigQuery REST API")
parser.add_argument("--table", required=True, help="project.dataset.table")
parser.add_argument("--rows", type=int, required=True)
parser.add_argument("--group", default="python-peer")
args = parser.parse_args()

consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                     "auto.offset.reset": "earliest", "enable.auto.commit": False})
consumer.subscribe(args.topics.split(","))
client = bigquery.Client(project=args.table.split(".")[0], credentials=AnonymousCredentials(),
                         client_options=ClientOptions(api_endpoint=args.endpoint))
loaded = 0
while loaded < args.rows:
    messages = [m for m in consumer.consume(num_messages=500, timeout=1.0) if m.error() is None]
    if not messages:
        continue
    rows = [{"envelope": m.value().decode() if m.value() is not None else None} for m in messages]
    ids = [f"{m.topic()}-{m.partition()}-{m.offset()}" for m in messages]
    errors = client.insert_rows_json(args.table, rows, row_ids=ids)
    if errors:
        raise SystemExit(f"insertAll rejected rows: {errors[:3]}")
    consumer.commit(asynchronous=False)
    loaded += len(messages)
consumer.close()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(f"rows={loaded} cpu={usage.ru_utime + usage.ru_stime:.3f}", flush=True)
