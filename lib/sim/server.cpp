#include "rtprov/sim/server.hpp"

#include <chrono>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "listen_socket_posix.hpp"
#include "pty_posix.hpp"
#include "rtprov/sim/session.hpp"
#include "rtprov/sim/state_store.hpp"
#include "rtprov/transport/transport.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Saving after every data packet of a large write would rewrite the flash file thousands of
// times: changes are saved once the link has been quiet for a moment, or at least every 2 s.
class Saver {
  public:
    Saver(const Chip& chip, const ServerOptions& options) : chip_(chip), options_(options) {}
    void changed() {
        if (!pending_)
            first_change_ = Clock::now();
        pending_ = true;
        last_change_ = Clock::now();
    }
    void idle() {
        const auto now = Clock::now();
        if (pending_ && (now - last_change_ > 200ms || now - first_change_ > 2s))
            save();
    }
    void save() {
        pending_ = false;
        if (options_.state_dir)
            save_state(chip_, *options_.state_dir);
    }

  private:
    const Chip& chip_;
    const ServerOptions& options_;
    bool pending_ = false;
    Clock::time_point first_change_;
    Clock::time_point last_change_;
};

// Sleeps as long as `bytes` take on a serial line at `baud` (10 bits per byte, 8N1).
void throttle(std::size_t bytes, std::uint32_t baud) {
    if (baud > 0 && bytes > 0)
        std::this_thread::sleep_for(std::chrono::microseconds(bytes * 10'000'000ull / baud));
}

void event(const ServerCallbacks& cb, const std::string& message) {
    if (cb.on_event)
        cb.on_event(message);
}

void after_exchange(Session& session, Saver& saver, ChipMode before, const ServerCallbacks& cb) {
    if (session.take_dirty())
        saver.changed();
    if (session.mode() != before) {
        event(cb, session.mode() == ChipMode::Flashloader ? "jump accepted: flashloader running (MCUBoot)"
                  : session.mode() == ChipMode::App
                      ? "reset: booted the application from flash (internal boot)"
                      : "reset: boot ROM running (SDP)");
    }
}

StopReason serve_uart(Chip& chip, const ServerOptions& options, const ServerCallbacks& cb,
                      const std::atomic<bool>& stop, FaultInjector& faults, Saver& saver) {
    Session session(chip, &faults);
    std::uint32_t baud = options.baud;
    std::uint64_t received = 0;
    auto pty = std::make_unique<detail::Pty>();
    auto announce = [&] {
        if (options.uart_link)
            detail::make_symlink(pty->slave_path(), options.uart_link->string());
        if (cb.on_endpoint)
            cb.on_endpoint(pty->slave_path());
    };
    announce();
    std::uint8_t buf[4096];
    while (!stop.load()) {
        const std::size_t n = pty->read(buf, 100ms);
        if (n == 0) {
            saver.idle();
            continue;
        }
        throttle(n, baud);
        received += n;
        const ChipMode before = session.mode();
        const Bytes out = session.on_bytes(ByteView(buf, n));
        throttle(out.size(), baud);
        pty->write(out);
        after_exchange(session, saver, before, cb);
        if (auto b = session.take_baud_rate()) {
            event(cb, fmt::format("baud rate {}", *b));
            if (baud != 0)
                baud = *b;
        }
        if (session.power_lost()) {
            event(cb, "power lost during a flash write");
            return StopReason::PowerLoss;
        }
        const auto& limit = faults.spec().disconnect_after;
        if (limit && received >= *limit) {
            event(cb, fmt::format("disconnect after {} bytes: new pty", received));
            received = 0;
            pty = std::make_unique<detail::Pty>();
            session.restart_link();
            announce();
        }
    }
    return StopReason::Signal;
}

StopReason serve_hid(Chip& chip, const ServerOptions& options, const ServerCallbacks& cb,
                     const std::atomic<bool>& stop, FaultInjector& faults, Saver& saver) {
    detail::ListenSocket listener(options.hid_socket.string());
    if (cb.on_endpoint)
        cb.on_endpoint(options.hid_socket.string());
    Session session(chip, &faults);
    while (!stop.load()) {
        const int fd = listener.accept(100ms);
        if (fd < 0) {
            saver.idle();
            continue;
        }
        auto link = transport::socket_transport_from_fd(fd, true, "sim client");
        session.restart_link();
        event(cb, "host connected");
        // What the host's USB stack would see first: the device descriptor (transport.hpp).
        if (session.mode() != ChipMode::App) {
            const device::UsbId ids = session.mode() == ChipMode::Flashloader
                                          ? chip.device().flashloader_usb
                                          : chip.device().rom_usb;
            Bytes descriptor(4);
            store_le16(descriptor.data(), ids.vid);
            store_le16(descriptor.data() + 2, ids.pid);
            try {
                link->write_report(0, descriptor);
            } catch (const Error&) {
                continue;  // the host left at once
            }
        }
        std::uint64_t received = 0;
        bool reenumerate = false;
        try {
            while (!stop.load()) {
                auto report = link->read_report(100ms);
                if (!report) {
                    saver.idle();
                    continue;
                }
                received += report->data.size() + 3;
                if (faults.drop_byte())
                    continue;  // on USB a lost packet, not a lost byte
                const ChipMode before = session.mode();
                for (const auto& r : session.on_report(*report))
                    link->write_report(r.id, r.data);
                after_exchange(session, saver, before, cb);
                if (session.power_lost()) {
                    event(cb, "power lost during a flash write");
                    return StopReason::PowerLoss;
                }
                if (session.mode() != before) {
                    reenumerate = true;
                    break;
                }
                const auto& limit = faults.spec().disconnect_after;
                if (limit && received >= *limit) {
                    event(cb, fmt::format("disconnect after {} bytes", received));
                    break;
                }
            }
        } catch (const Error&) {
            // The peer closing the socket is the normal end of a session.
            event(cb, "host disconnected");
        }
        if (reenumerate) {
            // Another program is another USB device: the old one is gone, the new one appears
            // on the same port once enumerated.
            link.reset();
            const auto& ids = session.mode() == ChipMode::Flashloader
                                  ? chip.device().flashloader_usb
                                  : chip.device().rom_usb;
            if (session.mode() == ChipMode::App) {
                event(cb, "the application runs: no boot device on this port");
            } else {
                event(cb, fmt::format(
                              "re-enumerating as {:04x}:{:04x} ({})", ids.vid, ids.pid,
                              session.mode() == ChipMode::Flashloader ? "flashloader" : "boot ROM"));
            }
            for (auto left = options.reenumeration; left.count() > 0 && !stop.load(); left -= 10ms)
                std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(left, 10ms));
        }
    }
    return StopReason::Signal;
}

}  // namespace

StopReason serve(Chip& chip, const ServerOptions& options, const ServerCallbacks& callbacks,
                 const std::atomic<bool>& stop) {
    FaultInjector faults(options.faults, options.seed);
    Saver saver(chip, options);
    StopReason reason = StopReason::Signal;
    try {
        reason = options.link == LinkKind::Uart
                     ? serve_uart(chip, options, callbacks, stop, faults, saver)
                     : serve_hid(chip, options, callbacks, stop, faults, saver);
    } catch (...) {
        saver.save();
        throw;
    }
    saver.save();
    return reason;
}

}  // namespace rtprov::sim
