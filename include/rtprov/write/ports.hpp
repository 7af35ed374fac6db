#pragma once
// Port lists and presence for `rtprov write`: --ports-from files, the default baud rate of
// uart: ports, and what a port URI resolves to now (for watch mode).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtprov/device/device.hpp"
#include "rtprov/transport/transport.hpp"

namespace rtprov::write {

// The URIs of a --ports-from file: one per line; blank lines and lines starting with '#' are
// skipped, surrounding spaces trimmed. A missing file is an empty list when `missing_ok`, else
// Error(BadInput) naming it; so is a file over kMaxListFile (1 MiB: /dev/zero is refused, not
// read forever) and a line with a control character ("FILE:LINE: ...").
std::vector<std::string> read_port_list(const std::filesystem::path& file, bool missing_ok);

// `uri` with ",BAUD" added when it is a uart: URI without a baud rate; other URIs unchanged.
std::string with_default_baud(const std::string& uri, std::uint32_t baud);

// What is plugged in at `uri` now: the resolved path for uart:, sim:, sim-uart: and usb:path=
// (following symlinks), the VID:PID[,SERIAL] plus the first matching hidapi path for usb:
// VID:PID, the URI itself for usb:port= while a HID device is at that port; nullopt when
// nothing is there. "sim:auto" is always present.
std::optional<std::string> port_identity(const std::string& uri);

// Opens a board's port (open_transport). A usb:VID:PID[,SERIAL] port with the boot ROM's IDs of
// `device` falls back to the flashloader's IDs: a board left running its flashloader (an
// interrupted write) enumerates as that device.
std::unique_ptr<transport::Transport> open_board(const std::string& uri,
                                                 const device::Device& device);

// How a board's port is opened, again and again (Port::open): open_board, but a USB board found
// by usb:VID:PID or usb:path= is opened at the USB port it was found at from then on, so it is
// followed through its re-enumeration (new IDs, new hidraw node) and never confused with another
// board with the same IDs.
std::function<std::unique_ptr<transport::Transport>()> board_opener(const std::string& uri,
                                                                    const device::Device& device);

}  // namespace rtprov::write
