#pragma once
// The MCUBoot flashloader, device side and without I/O: decoded command packets and host data go
// in, response packets and device data come out; the link layer (UART frames or HID reports)
// carries them. Memory ids 0 and 9 address RAM and the FlexSPI window; flash access needs
// configure-memory first, as on the real RT10xx flashloader. receive-sb-file runs SB 1.x files
// through the same memory operations (sb_loader.hpp). configure-memory with a BEE option block
// (0xE01N0000 and N FAC start/length pairs, SPSDK _init_otpmk_bee_regions) writes a region 0 BEE
// header at flash 0x400, encrypted with the simulated OTPMK (bee_keys.hpp), and encrypts every
// later write into those ranges, as NXP's flashloader does for OTPMK encrypted XIP.
// generate-key-blob (0x13) takes the DEK in phase 0 (params key_sel, DEK size, 0 and a data
// phase) and returns the part's DEK blob in phase 1 (params key_sel, count, 1: response 0xB3
// {status, length} and a read data phase); key_blob.hpp makes the blob.
// later write into those ranges, as NXP's flashloader does for OTPMK encrypted XIP. On the RT1010
// the same tag is its OTFAD option block (otfad_flashloader.cpp): key blobs made with the
// simulated OTPMK at flash offset 0, later writes into the ranges encrypted.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "rtprov/bee/bee.hpp"
#include "rtprov/otfad/otfad.hpp"
#include "rtprov/proto/mboot.hpp"
#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/sb_loader.hpp"

namespace rtprov::sim {

// One thing the flashloader sends: a response packet (COMMAND frame / IN report 3) or a chunk of
// read data (DATA frame / IN report 4).
struct MbootOut {
    bool data = false;
    Bytes bytes;  // encoded packet, or raw data
};

// Hooks for fault injection (all optional).
struct FlashloaderFaults {
    std::function<bool()> program_fail;  // true: the next page program fails
    // Bytes of flash that may still be programmed before the power goes; nullopt: unlimited.
    std::optional<std::uint64_t> power_loss_after;
};

class Flashloader {
  public:
    static constexpr std::uint32_t kMaxPacketSize = 1024;
    static constexpr std::uint32_t kVersion = 0x4B010600;  // K1.6.0

    explicit Flashloader(Chip& chip, FlashloaderFaults faults = {});

    // Handles one command packet (already CRC-checked by the link). Malformed packets are
    // answered with kStatus_InvalidArgument.
    std::vector<MbootOut> on_command(ByteView packet);
    // True while a write-memory or receive-sb-file data phase expects host data.
    bool expects_data() const { return data_left_ > 0; }
    // Consumes one host data packet; returns the final response when the phase is complete.
    // Like write-memory, receive-sb-file takes all the data announced and answers at the end
    // with the first failure (or kStatusRomLdrPendingJump/ResetCommand after a JUMP/RESET).
    std::vector<MbootOut> on_data(ByteView data);
    // Host aborted the data phase (e.g. link reset): drop it.
    void abort_data_phase() {
        data_left_ = 0;
        sb_.reset();
        dek_in_.reset();
    }

    // A reset command was answered: the chip is back in the boot ROM. Cleared on read.
    bool take_reset() { return std::exchange(reset_, false); }
    // Flash or fuses changed since the last call (the server then saves the state).
    bool take_dirty() { return std::exchange(dirty_, false); }
    // Power was lost in the middle of a write (fault injection): stop serving.
    bool power_lost() const { return power_lost_; }

  private:
    std::vector<MbootOut> get_property(std::uint32_t tag, std::uint32_t memory_id) const;
    std::uint32_t set_property(std::uint32_t tag, std::uint32_t value);
    std::vector<MbootOut> read_memory(std::uint32_t address, std::uint32_t count);
    std::uint32_t begin_write(std::uint32_t address, std::uint32_t count);
    std::uint32_t fill_memory(std::uint32_t address, std::uint32_t count, std::uint32_t pattern);
    std::uint32_t erase_region(std::uint32_t address, std::uint32_t count);
    std::uint32_t erase_all(std::uint32_t memory_id);
    std::uint32_t configure_memory(std::uint32_t memory_id, std::uint32_t address);
    std::uint32_t program_fcb();
    std::uint32_t configure_bee(std::uint32_t option, std::uint32_t address);
    std::uint32_t configure_otfad(std::uint32_t option, std::uint32_t address);
    std::uint32_t program_once(std::uint32_t index, std::uint32_t count, std::uint32_t value);
    std::vector<MbootOut> generate_key_blob(const proto::mboot::Packet& cmd);
    std::vector<MbootOut> end_dek();
    void forget_dek();
    // Checks a memory-mapped range: Success, MemoryNotConfigured (flash before configure-memory)
    // or MemoryRangeInvalid.
    std::uint32_t check_range(std::uint32_t address, std::uint32_t count) const;
    std::uint32_t write_bytes(std::uint32_t address, ByteView data);
    std::uint32_t begin_sb(std::uint32_t count);
    std::vector<MbootOut> end_sb();
    SbOps sb_ops();

    Chip* chip_;
    FlashloaderFaults faults_;
    bool verify_writes_ = true;
    std::uint32_t data_address_ = 0;
    std::uint32_t data_left_ = 0;
    std::uint32_t data_status_ = 0;
    std::optional<SbLoader> sb_;   // receive-sb-file in progress
    std::optional<Bytes> dek_in_;  // generate-key-blob phase 0: the DEK arriving
    std::optional<Bytes> dek_;     // the DEK phase 0 gave, until phase 1 wraps it
    struct OtpmkBee {
        bee::Prdb prdb;
        bee::Key key;
    };
    std::optional<OtpmkBee> bee_;  // configured OTPMK encryption of flash writes
    std::vector<otfad::Context> otfad_;  // RT1010: configured OTPMK OTFAD encryption of writes
    // The configuration block of the last FlexSPI NOR configure-memory (the FCB given, or the
    // one built from the option word): what 0xF000000F programs.
    std::optional<Bytes> config_block_;
    bool reset_ = false;
    bool dirty_ = false;
    bool power_lost_ = false;
};

}  // namespace rtprov::sim
