#pragma once
// The boot ROM's serial downloader (SDP), device side and without I/O: decoded commands and data
// phases go in, reply words and read data come out. The link layer (UART or HID) frames them.

#include <cstdint>
#include <optional>

#include "rtprov/proto/sdp.hpp"
#include "rtprov/sim/chip.hpp"

namespace rtprov::sim {

// What the ROM sends back for one command: the HAB word (IN report 3 on HID), then `payload`
// (a status word or READ_REGISTER data; IN report 4) which may be empty (successful jump).
struct SdpReply {
    std::uint32_t hab_word = 0;
    Bytes payload;
};

class BootRom {
  public:
    // The most READ_REGISTER data one command gets back (see read_register).
    static constexpr std::uint32_t kMaxReadRegister = 1u << 20;

    explicit BootRom(Chip& chip) : chip_(&chip) {}

    // Handles a command. Returns the reply, or nullopt when a data phase follows
    // (data_remaining() > 0 then).
    std::optional<SdpReply> on_command(const proto::sdp::Command& cmd);
    // Data-phase bytes still expected for the current command.
    std::uint32_t data_remaining() const { return remaining_; }
    // Consumes up to data_remaining() bytes of `data` (padding beyond is ignored); returns the
    // reply when the phase is complete.
    std::optional<SdpReply> on_data(ByteView data);

    // The last valid JUMP_ADDRESS switched the chip to the flashloader; cleared by the caller.
    bool take_jumped();
    // SET_BAUDRATE asked for this rate (UART); cleared by the caller.
    std::optional<std::uint32_t> take_baud_rate();
    // Why the last jump was refused ("" when none was).
    const std::string& last_jump_error() const { return jump_error_; }

  private:
    std::uint32_t hab_word() const;
    SdpReply reply(std::uint32_t status) const;
    SdpReply finish_data_phase();
    SdpReply jump(std::uint32_t address);
    SdpReply read_register(const proto::sdp::Command& cmd);
    SdpReply write_register(const proto::sdp::Command& cmd);
    bool run_dcd(ByteView dcd);

    Chip* chip_;
    proto::sdp::Command current_;
    std::uint32_t remaining_ = 0;
    Bytes buffer_;
    std::uint32_t hab_status_ = static_cast<std::uint32_t>(proto::sdp::Response::HabSuccess);
    bool skip_dcd_ = false;
    bool jumped_ = false;
    std::optional<std::uint32_t> baud_;
    std::string jump_error_;
    // The span of everything WRITE_FILE loaded (the jump checks the entry against it).
    std::uint32_t loaded_start_ = 0;
    std::uint32_t loaded_end_ = 0;
};

}  // namespace rtprov::sim
