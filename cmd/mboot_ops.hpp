#pragma once
// `rtprov mboot`'s operations (blhost's commands) on an open flashloader link, printed as blhost
// prints them, shared by the command line and by `batch` files.

#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "device_ops.hpp"
#include "output.hpp"
#include "rtprov/proto/mboot_client.hpp"

namespace rtprov::cli {

// blhost's commands that rtprov runs, in `rtprov mboot --help` order (batch included).
std::span<const DeviceOp> mboot_ops();
// blhost commands that do not apply to i.MX RT10xx flashloaders, with the reason.
std::span<const ForeignOp> mboot_foreign_ops();

// Runs `op` with `args` (already counted against op's min/max): prints blhost's text through
// `out` and adds the results to `doc`. Throws Error(Usage) for malformed arguments, what the
// client throws for the device.
void run_mboot_op(const DeviceOp& op, std::span<const std::string> args, proto::McuBootClient& mb,
                  Output& out, nlohmann::json& doc);

}  // namespace rtprov::cli
