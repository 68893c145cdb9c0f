import os

from django.core.wsgi import get_wsgi_application

from newsroom.pagecache import PageCache
from newsroom.startup import load_settings_or_exit, warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
load_settings_or_exit()

# Stored pages are answered before Django is entered (newsroom/pagecache.py).
application = PageCache(get_wsgi_application())
# In gunicorn's master, before it forks the workers (deploy/gunicorn.conf.py).
warm_up()
