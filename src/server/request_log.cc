#include "server/request_log.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/json.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <mutex>

#include "tokenizer/utf8.h"

namespace fab::server {
namespace {

std::shared_ptr<spdlog::logger> MakeLogger(spdlog::sink_ptr sink) {
  auto logger = std::make_shared<spdlog::logger>("tokenfab.requests", std::move(sink));
  logger->set_pattern("%v");  // the line is the JSON object, nothing else
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return logger;
}

// The process-wide destination, replaced only by ConfigureRequestLog.
class RequestLogger {
 public:
  static RequestLogger& Get() {
    static RequestLogger* instance = new RequestLogger();  // never destroyed: usable until exit
    return *instance;
  }
  std::shared_ptr<spdlog::logger> logger() {
    std::lock_guard lock(mutex_);
    return logger_;
  }
  void Replace(std::shared_ptr<spdlog::logger> logger) {
    std::lock_guard lock(mutex_);
    logger_ = std::move(logger);
  }

 private:
  RequestLogger() : logger_(MakeLogger(std::make_shared<spdlog::sinks::stderr_sink_mt>())) {}
  std::mutex mutex_;
  std::shared_ptr<spdlog::logger> logger_;
};

// "2026-11-29T19:20:00.123Z"
std::string UtcTimestamp(std::chrono::system_clock::time_point now) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return std::string(text, n) + "." + std::to_string(1000 + ms % 1000).substr(1) + "Z";
}

boost::json::value Text(const std::string& text) { return boost::json::string(SanitizeUtf8(text)); }

// JSON has no NaN or infinity: those become null.
boost::json::value Number(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

std::string EntryLine(const RequestLogEntry& entry) {
  boost::json::object line;
  line["ts"] = UtcTimestamp(std::chrono::system_clock::now());
  line["request_id"] = Text(entry.request_id);
  line["method"] = Text(entry.method);
  line["path"] = Text(entry.path);
  line["status"] = entry.status;
  line["remote"] = Text(entry.remote);
  line["model"] = Text(entry.model);
  line["user"] = entry.user ? Text(*entry.user) : boost::json::value(nullptr);
  line["stream"] = entry.stream;
  line["prompt_tokens"] = entry.n_prompt_tokens;
  line["cached_prompt_tokens"] = entry.n_cached_prompt_tokens;
  line["completion_tokens"] = entry.n_completion_tokens;
  line["finish_reason"] = Text(entry.finish_reason);
  line["ttft_s"] = entry.ttft_s ? Number(*entry.ttft_s) : boost::json::value(nullptr);
  line["queue_s"] = Number(entry.queue_s);
  line["duration_s"] = Number(entry.duration_s);
  if (entry.ledger_s) line["ledger_s"] = *entry.ledger_s;
  line["error"] = Text(entry.error);
  return boost::json::serialize(line);
}

}  // namespace

Status ConfigureRequestLog(const std::string& path) {
  spdlog::sink_ptr sink;
  if (path.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
    } catch (const std::exception& error) {
      return InvalidArgumentError("cannot open the request log '" + path + "' for appending: " + error.what());
    }
  }
  RequestLogger::Get().Replace(MakeLogger(std::move(sink)));
  return OkStatus();
}

void LogWarning(const std::string& message) {
  try {
    boost::json::object line;
    line["ts"] = UtcTimestamp(std::chrono::system_clock::now());
    line["level"] = "warning";
    line["message"] = Text(message);
    RequestLogger::Get().logger()->info("{}", boost::json::serialize(line));
  } catch (...) {
  }
}

void LogRequest(const RequestLogEntry& entry) {
  try {
    const std::string line = EntryLine(entry);
    RequestLogger::Get().logger()->info("{}", line);
  } catch (...) {
    // A log line is never worth failing a request for (out of memory here).
  }
}

}  // namespace fab::server
