#pragma once
// Shared by the commands that talk to a device with sub-operations named like NXP's tools
// (`rtprov sdp <op>`, `rtprov mboot <op>`): the device options in rtprov's and in blhost's /
// sdphost's forms (-p PORT[,BAUD] or a URI, -u VID,PID, -t MS, -j, `--` before the command), one
// CLI11 subcommand per op with its positional arguments, and the lookup of the op that was given
// (unknown names get a suggestion).

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "output.hpp"

namespace rtprov::cli {

struct DeviceOp {
    std::string_view name;
    std::string_view usage;  // positional arguments, in the vendor tool's order
    std::size_t min_args;
    std::size_t max_args;
    std::string_view help;
};

// A command of the vendor tool that rtprov knowingly leaves out, and why.
struct ForeignOp {
    std::string_view name;
    std::string_view why;
};

class DeviceOpOptions {
  public:
    // Declares -p/--port, -u/--usb, -t/--timeout, -j, a subcommand per op and a hidden catch-all
    // for `-- COMMAND ARGS...` and unknown command names on `app`. `foreign` are vendor commands
    // that get their own explanation instead of "unknown command".
    void setup(CLI::App& app, std::span<const DeviceOp> ops, std::span<const ForeignOp> foreign,
               const std::string& footer);
    // The op given on the command line (also after `--`); its arguments land in `args`. Throws
    // Error(Usage) naming `command` when none was given, the name is unknown ("unknown command
    // 'X' (did you mean 'Y'?)") or the argument count is wrong.
    const DeviceOp& parsed(std::string_view command);
    // The op `name` with `argc` arguments (a batch line): as parsed(), without the command line.
    const DeviceOp& lookup(std::string_view command, std::string_view name, std::size_t argc) const;
    // The transport URI: -p as given when it is a URI (uart:, usb:, sim:, sim-uart:), else a
    // serial port `uart:PORT[,BAUD]`; -u VID,PID / VID:PID (hex, 0x optional) -> usb:VID:PID,
    // -u PATH -> usb:path=PATH. Throws Error(Usage) unless exactly one of them was given.
    std::string port_uri(std::string_view command) const;

    // Runs `fn` with the Output that -j asks for: `out` itself without -j (or with --json),
    // else a JSON Output, which also prints the result document when `fn` throws.
    int run_output(Output& out, const std::function<int(Output&)>& fn) const;

    std::string port;
    std::string usb;
    int timeout_ms = 5000;
    bool json = false;
    std::vector<std::string> args;

  private:
    std::string name_;  // the command ("mboot"), for messages
    std::span<const DeviceOp> ops_;
    std::span<const ForeignOp> foreign_;
    std::vector<std::pair<CLI::App*, const DeviceOp*>> subs_;
    std::vector<std::string> rest_;  // `-- COMMAND ARGS...`, or an unknown COMMAND and its args
};

// The op names closest to `name` by edit distance (one or more, tied), for "did you mean";
// empty when none is close.
std::vector<std::string_view> closest_ops(std::span<const DeviceOp> ops, std::string_view name);

}  // namespace rtprov::cli
