#include "device_ops.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/parse.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::cli {

namespace {

// A VID or PID of -u: hex, "0x" optional, as blhost scripts and the device database write them.
std::optional<std::uint16_t> usb_id(std::string_view s) {
    if (s.starts_with("0x") || s.starts_with("0X"))
        s.remove_prefix(2);
    if (s.empty() || s.size() > 4 || !std::all_of(s.begin(), s.end(), [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c)) != 0;
        }))
        return std::nullopt;
    return static_cast<std::uint16_t>(std::stoul(std::string(s), nullptr, 16));
}

bool is_uri(std::string_view port) {
    for (std::string_view scheme : {"uart:", "usb:", "sim:", "sim-uart:"})
        if (port.starts_with(scheme))
            return true;
    return false;
}

}  // namespace

std::vector<std::string_view> closest_ops(std::span<const DeviceOp> ops, std::string_view name) {
    std::vector<std::string_view> names;
    for (const auto& op : ops)
        names.push_back(op.name);
    return closest_names(names, name);
}

void DeviceOpOptions::setup(CLI::App& app, std::span<const DeviceOp> ops,
                            std::span<const ForeignOp> foreign, const std::string& footer) {
    ops_ = ops;
    foreign_ = foreign;
    name_ = app.get_name();
    app.require_subcommand(0, 1);
    app.add_option("-p,--port", port,
                   "Device: uart:DEV[,BAUD], usb:VID:PID[,SERIAL], usb:path=P, sim:SOCKET, "
                   "or a serial port DEV[,BAUD] as blhost/sdphost take it");
    app.add_option("-u,--usb", usb,
                   "USB-HID device as blhost/sdphost take it: VID,PID or VID:PID (hex, 0x "
                   "optional) or a hidraw path");
    app.add_option("-t,--timeout", timeout_ms, "Response timeout in milliseconds")
        ->capture_default_str();
    app.add_flag("-j", json, "Print the result as JSON (as --json; blhost's/sdphost's -j)");
    // `-- get-property 1` and misspelt commands arrive here instead of as a subcommand.
    app.add_option("command", rest_, "COMMAND [ARGS...] after --")->group("");
    for (const auto& op : ops) {
        CLI::App* sub = app.add_subcommand(std::string(op.name), std::string(op.help));
        if (op.max_args > 0) {
            sub->add_option("args", args, std::string(op.usage))
                ->expected(static_cast<int>(op.min_args), static_cast<int>(op.max_args));
        }
        subs_.emplace_back(sub, &op);
    }
    app.footer(footer);
}

const DeviceOp& DeviceOpOptions::lookup(std::string_view command, std::string_view name,
                                        std::size_t argc) const {
    for (const auto& op : ops_) {
        if (op.name != name)
            continue;
        if (argc < op.min_args || argc > op.max_args) {
            throw Error(ErrorCode::Usage,
                        fmt::format("{} {}: expected {}", command, op.name,
                                    op.usage.empty() ? "no arguments" : op.usage));
        }
        return op;
    }
    for (const auto& f : foreign_) {
        if (f.name == name)
            throw Error(ErrorCode::Usage, fmt::format("{} {}: {}", command, name, f.why));
    }
    std::string hint = fmt::format("see rtprov {} --help", name_);
    if (const auto near = closest_ops(ops_, name); !near.empty()) {
        hint = "did you mean ";
        for (std::size_t i = 0; i < near.size(); ++i)
            hint += fmt::format("{}'{}'", i == 0 ? "" : " or ", near[i]);
        hint += "?";
    }
    throw Error(ErrorCode::Usage,
                fmt::format("{}: unknown command '{}' ({})", command, name, hint));
}

const DeviceOp& DeviceOpOptions::parsed(std::string_view command) {
    for (const auto& [sub, op] : subs_) {
        if (!sub->parsed())
            continue;
        if (!rest_.empty()) {
            throw Error(ErrorCode::Usage, fmt::format("{} {}: too many arguments, expected {}",
                                                      command, op->name, op->usage));
        }
        return lookup(command, op->name, args.size());
    }
    if (rest_.empty()) {
        throw Error(
            ErrorCode::Usage,
            fmt::format("rtprov {}: missing command (see rtprov {} --help)", command, command));
    }
    const DeviceOp& op = lookup(command, rest_.front(), rest_.size() - 1);
    args.assign(rest_.begin() + 1, rest_.end());
    return op;
}

std::string DeviceOpOptions::port_uri(std::string_view command) const {
    if (port.empty() == usb.empty()) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{}: give the device with either -p PORT[,BAUD] (or a "
                                "URI) or -u VID,PID{}",
                                command, port.empty() ? "" : ", not both"));
    }
    if (!port.empty())
        return is_uri(port) ? port : "uart:" + port;
    if (usb.starts_with("/"))
        return "usb:path=" + usb;
    const auto sep = usb.find_first_of(",:");
    const auto vid = sep == std::string::npos ? std::nullopt : usb_id(usb.substr(0, sep));
    const auto pid = sep == std::string::npos ? std::nullopt : usb_id(usb.substr(sep + 1));
    if (!vid || !pid) {
        throw Error(ErrorCode::Usage,
                    fmt::format("-u '{}': expected VID,PID or VID:PID (hex, 0x optional, e.g. "
                                "0x15a2,0x0073) or a hidraw path",
                                usb));
    }
    return fmt::format("usb:{:04x}:{:04x}", *vid, *pid);
}

int DeviceOpOptions::run_output(Output& out, const std::function<int(Output&)>& fn) const {
    if (!json || out.json())
        return fn(out);
    Output jout(true, out.quiet() ? -1 : out.verbose() ? 1 : 0);
    try {
        const int status = fn(jout);
        jout.finish();
        return status;
    } catch (const Error& e) {
        // main() prints the error on stderr; the JSON document on stdout is ours to print.
        jout.fail({{"code", error_code_name(e.code())},
                   {"message", e.what()},
                   {"exit_code", exit_code(e.code())}});
        throw;
    }
}

}  // namespace rtprov::cli
