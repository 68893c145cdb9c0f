# Varnish in front of Newsroom's gunicorn, behind nginx (docs/deployment.md):
#   nginx (TLS, /static/, /media/) -> Varnish (this file) -> gunicorn
# `make varnish-config` fills in the @...@ values.
#
# Varnish keeps only what the application marks as shared: anonymous public pages,
# which carry an `xkey` header naming what they show (newsroom/pagecache.py). The
# application purges by those tags on every change (PURGE with `xkey-purge`), so a
# page is kept until it changes; s-maxage bounds the rest (e.g. the next scheduled
# story), stale-while-revalidate lets a reader get the old page while a new one renders.
vcl 4.1;

import xkey;
import std;

backend newsroom {
    .host = "@BACKEND_HOST@";
    .port = "@BACKEND_PORT@";
    .connect_timeout = 5s;
    .first_byte_timeout = 35s;
    .between_bytes_timeout = 10s;
}

# Who may purge: the application servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "No xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|healthz|i18n)(/|$)" || req.url ~ "^/[a-z]{2}/comments/") {
        return (pass);
    }
    # A reader with a session (editors) or a message waiting (after a comment) is served
    # by the application; nothing personal is ever stored.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Any other cookie (the language, CSRF, analytics) never changes a public page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (!beresp.http.xkey || beresp.http.Set-Cookie) {
        # Not a shared page: remember that for a while so requests are not queued.
        set beresp.uncacheable = true;
        set beresp.ttl = 60s;
        return (deliver);
    }
    # Varnish takes the lifetime from s-maxage and the grace from stale-while-revalidate.
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    if (obj.hits > 0) {
        set resp.http.X-Front-Cache = "hit";
        # A stored page carries the request id of the request that rendered it.
        if (req.http.X-Request-ID) {
            set resp.http.X-Request-ID = req.http.X-Request-ID;
        }
    } else {
        set resp.http.X-Front-Cache = "miss";
    }
}
