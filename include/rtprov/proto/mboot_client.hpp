#pragma once
// Host side of MCUBoot (blhost protocol) over any Transport: UART framing with CRC16, ACK/NAK/
// ABORT, or USB-HID reports. Never prints. Failures throw rtprov::Error(Device):
//   - link problems ("no response to write-memory within 5000 ms"),
//   - a non-success status: McuBootStatusError (an Error carrying the status code), message
//     "write-memory: kStatusMemoryRangeInvalid (10200)".

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "rtprov/proto/mboot.hpp"
#include "rtprov/proto/sdp_client.hpp"  // ProgressFn
#include "rtprov/transport/transport.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::proto {

// A command answered with a non-success status.
class McuBootStatusError : public Error {
  public:
    McuBootStatusError(std::uint32_t status, std::string message)
        : Error(ErrorCode::Device, std::move(message)), status_(status) {}
    std::uint32_t status() const { return status_; }

  private:
    std::uint32_t status_;
};

class McuBootClient {
  public:
    // Uses `t` (not owned; must outlive the client). `timeout` bounds each response wait.
    explicit McuBootClient(transport::Transport& t,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

    void set_progress(ProgressFn fn) { progress_ = std::move(fn); }
    // How many times a NAKed or corrupt frame is resent / re-requested before giving up.
    void set_retries(int n) { retries_ = n; }

    // UART: sends PING and returns the device's protocol version/options (HID: throws Usage,
    // there is no ping on USB).
    mboot::PingResponse ping();

    // get-property: all value words (the status word removed). `index` = memory id for 0x19.
    std::vector<std::uint32_t> get_property(std::uint8_t property, std::uint32_t index = 0);
    void set_property(std::uint8_t property, std::uint32_t value);
    // Max data packet size (property 11), read once and cached; kDefaultMaxPacketSize if the
    // device does not know the property.
    std::uint32_t max_packet_size();

    Bytes read_memory(std::uint32_t address, std::uint32_t count, std::uint32_t memory_id = 0);
    void write_memory(std::uint32_t address, ByteView data, std::uint32_t memory_id = 0);
    // Fills `count` bytes at `address` with the 32-bit `pattern`.
    void fill_memory(std::uint32_t address, std::uint32_t count, std::uint32_t pattern);
    void flash_erase_region(std::uint32_t address, std::uint32_t count,
                            std::uint32_t memory_id = 0);
    void flash_erase_all(std::uint32_t memory_id = 0);
    // configure-memory: the option block must already be at `address` (see fill_memory).
    void configure_memory(std::uint32_t memory_id, std::uint32_t address);
    // efuse-read-once / efuse-program-once (flash-read-once / flash-program-once on 4 bytes).
    std::uint32_t efuse_read_once(std::uint32_t index, std::uint32_t count = 4);
    void efuse_program_once(std::uint32_t index, std::uint32_t value, std::uint32_t count = 4);
    // flash-read-resource (Kinetis IFR / firmware id; RT10xx flashloaders answer
    // kStatus_UnknownCommand or UnsupportedCommand): `count` bytes at `address`, `option` 0 or 1.
    Bytes flash_read_resource(std::uint32_t address, std::uint32_t count, std::uint32_t option);
    // receive-sb-file; kStatusRomLdrPendingJump / PendingReset count as success.
    void receive_sb_file(ByteView sb);
    void execute(std::uint32_t address, std::uint32_t argument, std::uint32_t stack_pointer);
    void call(std::uint32_t address, std::uint32_t argument);
    // reset: sends the command; a missing response (device already resetting) is not an error.
    void reset();
    // generate-key-blob: sends the DEK (command 0x13 with data phase, params key_sel, dek size, 0),
    // then asks for the blob (0x13, params key_sel, blob_size, 1) and returns its data phase.
    Bytes generate_key_blob(ByteView dek, std::uint32_t key_sel = 0, std::uint32_t blob_size = 72);

    // Sends any command and returns its (first) response; throws on a non-success status unless
    // `check` is false. For commands without data phase.
    mboot::Packet command(const mboot::Packet& cmd, bool check = true);

  private:
    // Sends one COMMAND/DATA packet (UART: waits for ACK, resends on NAK); false when the device
    // answered ABORT (UART) or already sent its final response (HID data abort).
    bool send_packet(mboot::PacketType type, ByteView payload);
    // Next COMMAND (response) or DATA packet from the device; nullopt on a data abort.
    std::optional<Bytes> receive(mboot::PacketType expect, std::chrono::milliseconds timeout);
    mboot::Packet receive_response(std::uint8_t command_tag);
    void check_status(const mboot::Packet& r, std::uint8_t command_tag) const;
    // Sends `data` in max_packet_size() chunks; returns false when the device aborted.
    bool send_data_phase(ByteView data);
    Bytes receive_data_phase(std::uint32_t count, std::uint8_t command_tag);
    // UART: next decoded frame (junk skipped, bad CRC NAKed); throws on timeout.
    mboot::FrameDecode next_frame(std::chrono::milliseconds timeout, const char* waiting_for);
    // Sends cmd (+ data) and returns the first response, checked against tag.
    mboot::Packet transact(const mboot::Packet& cmd);

    transport::Transport& t_;
    std::chrono::milliseconds timeout_;
    ProgressFn progress_;
    int retries_ = 3;
    std::optional<std::uint32_t> max_packet_;
    Bytes rx_;  // UART receive buffer (bytes read but not yet decoded)
    std::optional<mboot::Packet> early_response_;  // HID: response that arrived during data out
};

// Builds FlexSPI NOR option word 0 from its fields (see spec §8): tag 0xC in bits 31:28.
constexpr std::uint32_t flexspi_nor_option0(std::uint32_t option_size, std::uint32_t device_type,
                                            std::uint32_t query_pads, std::uint32_t cmd_pads,
                                            std::uint32_t quad_enable, std::uint32_t misc,
                                            std::uint32_t max_freq) {
    return 0xC0000000u | (option_size & 0xF) << 24 | (device_type & 0xF) << 20 |
           (query_pads & 0xF) << 16 | (cmd_pads & 0xF) << 12 | (quad_enable & 0xF) << 8 |
           (misc & 0xF) << 4 | (max_freq & 0xF);
}

}  // namespace rtprov::proto
