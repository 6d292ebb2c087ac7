// Events for the grid tests: DSX Flex CloudEvents built as a publisher
// would send them, plain or with JWS-signed data, and throwaway signing keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json.hpp>

namespace fab::grid_test {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

// A fresh P-256 (ES256) or RSA-2048 (RS256) key pair.
KeyPair NewEcKeyPair();
KeyPair NewRsaKeyPair();

// {"targets":[{"interval":{start,end},"feed_tags":[feed],"load_constraint":{value,unit}}]};
// watts < 0 means a null constraint; feed "" leaves feed_tags out.
boost::json::object LoadTargetData(double value, const std::string& unit, const std::string& feed,
                                   std::optional<int64_t> start_ms, std::optional<int64_t> end_ms);

boost::json::object BreachAlertData(const std::string& feed, const std::string& status, const std::string& breach_id,
                                    double target_watts, double measured_watts, int64_t detected_ms);

// A structured-mode CloudEvent; `data` is put in as is (an object, or a JWS string).
std::string Event(const std::string& type, const boost::json::value& data, int64_t time_ms,
                  const std::string& id = "", const std::string& correlationid = "");

}  // namespace fab::grid_test
