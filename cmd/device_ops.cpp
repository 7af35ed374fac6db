#include "device_ops.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::cli {

void DeviceOpOptions::setup(CLI::App& app, std::span<const DeviceOp> ops,
                            const std::string& footer) {
    app.require_subcommand(1);
    app.add_option("-p,--port", port,
                   "Device: uart:DEV[,BAUD], usb:VID:PID[,SERIAL], usb:path=P, sim:SOCKET")
        ->required();
    app.add_option("--timeout", timeout_ms, "Response timeout in milliseconds")
        ->capture_default_str();
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

const DeviceOp& DeviceOpOptions::parsed(std::string_view command) const {
    for (const auto& [sub, op] : subs_) {
        if (!sub->parsed())
            continue;
        if (args.size() < op->min_args) {
            throw Error(ErrorCode::Usage,
                        fmt::format("{} {}: expected {}", command, op->name, op->usage));
        }
        return *op;
    }
    throw Error(ErrorCode::Usage, fmt::format("rtprov {}: missing command", command));
}

}  // namespace rtprov::cli
