#pragma once
// How commands talk to the user: results to stdout (text or one JSON document with --json),
// diagnostics to stderr, filtered by -q / -v. The library never prints; commands print through
// this.

#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace rtprov::cli {

class Output {
  public:
    Output(bool json, int verbosity) : json_(json), verbosity_(verbosity) {}

    bool json() const { return json_; }
    bool quiet() const { return verbosity_ < 0; }
    bool verbose() const { return verbosity_ > 0; }

    // A result line for humans (suppressed with --json, where the JSON document is the result,
    // and with -q).
    template <typename... Args>
    void text(fmt::format_string<Args...> f, Args&&... args) {
        if (!json_ && !quiet())
            fmt::print("{}\n", fmt::format(f, std::forward<Args>(args)...));
    }
    // A progress or detail line on stderr, shown with -v only.
    template <typename... Args>
    void detail(fmt::format_string<Args...> f, Args&&... args) {
        if (verbose())
            fmt::print(stderr, "{}\n", fmt::format(f, std::forward<Args>(args)...));
    }
    // A warning on stderr ("rtprov: warning: ..."), hidden with -q.
    void warning(std::string_view message);
    // Sets the JSON result document (printed only with --json, -q or not). It is kept until the
    // command ends: finish() prints it, or a failure prints it with an "error" member added, so
    // stdout holds exactly one JSON document either way.
    void result(const nlohmann::json& doc) { result_ = doc; }
    // The command returned: prints the result document (with --json).
    void finish();
    // The command failed with `error` (an {"code", "message", "exit_code"} object): prints the
    // result document so far with it as its "error" member (with --json).
    void fail(const nlohmann::json& error);

  private:
    bool json_;
    int verbosity_;
    std::optional<nlohmann::json> result_;
};

}  // namespace rtprov::cli
