#pragma once
// The simulator's server loop: one chip, one link. UART: a pseudo-terminal whose slave path hosts
// open as a serial port. HID: a Unix socket speaking the sim: report framing of
// rtprov/transport/transport.hpp, one connection at a time. The socket path is the USB port the
// part is plugged into; a connection is the USB device enumerated there. As on silicon, the
// device re-enumerates when the program changes (boot ROM 1FC9:01xx -> flashloader 15A2:0073
// after a jump, back after a reset): the server closes the connection, stays away for
// `reenumeration`, and the next connection is the new device. The library prints nothing; the
// CLI learns about the endpoint and events through callbacks.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/faults.hpp"

namespace rtprov::sim {

enum class LinkKind { Uart, Hid };

struct ServerOptions {
    LinkKind link = LinkKind::Uart;
    std::filesystem::path hid_socket;                // LinkKind::Hid: where to listen
    std::optional<std::filesystem::path> uart_link;  // symlink kept pointing at the pty slave
    std::optional<std::filesystem::path> state_dir;  // saved after changes and at the end
    std::uint32_t baud = 0;                          // UART throttling (0: as fast as possible)
    FaultSpec faults;
    std::uint64_t seed = 1;
    // LinkKind::Hid: how long the port stays empty while the part re-enumerates.
    std::chrono::milliseconds reenumeration{50};
};

struct ServerCallbacks {
    // The endpoint hosts connect to: pty slave path or socket path (again after a re-open).
    std::function<void(const std::string& endpoint)> on_endpoint;
    // Something worth telling on -v ("jump to 0x20208400 accepted: flashloader running").
    std::function<void(const std::string& message)> on_event;
};

enum class StopReason { Signal, PowerLoss };

// Serves until `stop` becomes true (checked at least every 100 ms) or the power-loss fault fires.
// Saves the state (when a state dir is set) before returning. Throws Error(Device) when the link
// cannot be set up, Error(Io) when the state cannot be saved.
StopReason serve(Chip& chip, const ServerOptions& options, const ServerCallbacks& callbacks,
                 const std::atomic<bool>& stop);

}  // namespace rtprov::sim
