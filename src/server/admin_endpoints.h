// The admin API: the operator's CLI (tenants, keys, usage, audit) over
// HTTP, for admin keys only (access_control.h checks that first). Every
// change is audited with actor "key:<admin key id>", as the CLI's are with
// "cli:<user>". Routes (JSON bodies: server/admin_requests.h):
//   GET  /admin/v1/tenants                 POST /admin/v1/tenants
//   GET  /admin/v1/tenants/{name}          PATCH /admin/v1/tenants/{name}
//   GET  /admin/v1/keys[?tenant=]          POST /admin/v1/keys (201; the key, once)
//   GET  /admin/v1/keys/{id}               PATCH /admin/v1/keys/{id}
//   POST /admin/v1/keys/{id}/revoke        DELETE /admin/v1/keys/{id} (the same)
//   GET  /admin/v1/usage[?tenant=&since=]  GET /admin/v1/audit[?limit=]
//   GET  /admin/v1/audit/verify
// Blocking database calls on the calling transport thread: admin traffic is
// light. Thread-safe.
#pragma once

#include "control/books.h"
#include "server/access_control.h"
#include "server/http_exchange.h"

namespace fab::server {

// `books` may be null (serve without --db): 404 for every admin route then.
// A change to a key or policy clears `access`'s key cache at once.
HttpResponse HandleAdmin(control::Books* books, const AccessControl& access, const Caller& caller,
                         const HttpRequest& request);

}  // namespace fab::server
