"""gunicorn's settings for Monitr's web container: gunicorn reads this file from its working directory (/app), for
the image's command and docker-compose's alike.

``timeout``: a worker busy with one request for longer than this is killed. A ledger file upload (two files of up to
50 MB each) reaches the worker as fast as the client sends it when the proxy in front passes the body on as it comes
(Caddy does; nginx buffers it whole first, as it does by default): 120 s lets 100 MB through at about 7 Mbit/s. The
upload's request itself only stores the files (a few seconds for 50 MB); checking them runs in the Celery worker,
while the page shows how far it is (docs/ledger-file.md).
"""

bind = "0.0.0.0:8000"
workers = 3
timeout = 120
accesslog = "-"
