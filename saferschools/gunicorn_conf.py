"""gunicorn settings for `make run` and production.

The access log leaves out the client's address and user agent on every path: pupils report in
confidence, and a log line must not tie a report to a device.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 60
graceful_timeout = 10
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# Writes secret parts of paths (password links, calendar feeds) as "[secret]".
logger_class = "saferschools.access_log.PrivateAccessLogger"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
