#pragma once
// One link's worth of device-side protocol: the boot ROM's SDP until a valid jump, then MCUBoot
// from the flashloader, and back to SDP after a reset. Bytes (UART) or HID reports go in, the
// bytes or reports to send come out; framing uses the rtprov::proto codecs. No I/O here.
//
// Over HID the session switches protocol with the program; the server (server.hpp) models the
// USB re-enumeration that goes with it (new VID:PID) by closing the connection.

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "rtprov/sim/boot_rom.hpp"
#include "rtprov/sim/faults.hpp"
#include "rtprov/sim/flashloader.hpp"
#include "rtprov/transport/transport.hpp"

namespace rtprov::sim {

class Session {
  public:
    // `faults` may be null (no fault injection); both outlive the session.
    Session(Chip& chip, FaultInjector* faults);

    // UART: consumes received bytes, returns the bytes to send.
    Bytes on_bytes(ByteView in);
    // HID: consumes one OUT report, returns the IN reports to send.
    std::vector<transport::HidReport> on_report(const transport::HidReport& report);

    // A new connection (or the pty reopened): drop partial commands and pending frames.
    void restart_link();

    // Flash or fuses changed since the last call (save the state).
    bool take_dirty();
    // The power-loss fault fired: save and stop.
    bool power_lost() const;
    // SET_BAUDRATE was accepted (UART: change the line speed).
    std::optional<std::uint32_t> take_baud_rate() { return rom_.take_baud_rate(); }
    ChipMode mode() const { return chip_->mode(); }

  private:
    void sync_mode();
    void sdp_bytes(ByteView in, Bytes& out);
    void mboot_bytes(Bytes& out);
    void send_sdp_reply(const SdpReply& r, Bytes& out) const;
    void queue_mboot(std::vector<MbootOut> items);
    void send_next_frame(Bytes& out);
    // Appends `frame` to `out`, its CRC corrupted when the crc fault fires.
    void send_frame(const Bytes& frame, Bytes& out);
    void ack(Bytes& out);

    Chip* chip_;
    FaultInjector* faults_;
    BootRom rom_;
    std::unique_ptr<Flashloader> loader_;
    ChipMode serving_ = ChipMode::Rom;
    Bytes rx_;                   // UART bytes not consumed yet
    std::deque<Bytes> tx_;       // MCUBoot UART frames waiting for the host's ACK of the last
    bool awaiting_ack_ = false;  // a sent frame has not been ACKed yet
    Bytes last_frame_;           // for resending after a NAK
    bool dirty_ = false;
};

}  // namespace rtprov::sim
