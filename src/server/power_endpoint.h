// GET and PUT /admin/v1/power (server/power_control.h), for admin keys
// only (the caller checks). A PUT is audited as action "power.budget" when
// the server keeps books. 404 when the server has no power control. Any
// transport thread.
#pragma once

#include "control/books.h"
#include "server/access_control.h"
#include "server/http_exchange.h"
#include "server/power_control.h"

namespace fab::server {

HttpResponse HandlePowerAdmin(PowerControl* power, control::Books* books, const Caller& caller,
                              const HttpRequest& request);

}  // namespace fab::server
