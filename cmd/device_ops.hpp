#pragma once
// Shared by the commands that talk to a device with sub-operations named like NXP's tools
// (`rtprov sdp <op>`, `rtprov mboot <op>`): --port, --timeout, one CLI11 subcommand per op with
// its positional arguments, and the lookup of the op that was given.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace rtprov::cli {

struct DeviceOp {
    std::string_view name;
    std::string_view usage;  // positional arguments, in the vendor tool's order
    std::size_t min_args;
    std::size_t max_args;
    std::string_view help;
};

class DeviceOpOptions {
  public:
    // Declares --port/-p, --timeout and a subcommand per op on `app`.
    void setup(CLI::App& app, std::span<const DeviceOp> ops, const std::string& footer);
    // The op given on the command line; throws Error(Usage) naming `command` when none was given
    // or it has too few arguments.
    const DeviceOp& parsed(std::string_view command) const;

    std::string port;
    int timeout_ms = 5000;
    std::vector<std::string> args;

  private:
    std::vector<std::pair<CLI::App*, const DeviceOp*>> subs_;
};

}  // namespace rtprov::cli
