#pragma once
// Host side of SDP (boot ROM serial downloader) over any Transport: USB-HID reports or a UART
// byte stream, chosen by Transport::is_hid(). Never prints; failures throw rtprov::Error(Device)
// naming the command and the word received ("WRITE_FILE: status 0x12343412 (HAB_LOCKED),
// expected 0x88888888 (WRITE_FILE_OK)").

#include <chrono>
#include <cstdint>
#include <functional>

#include "rtprov/proto/sdp.hpp"
#include "rtprov/transport/transport.hpp"

namespace rtprov::proto {

// Progress of a data phase: bytes done, bytes total.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

class SdpClient {
  public:
    // Uses `t` (not owned; must outlive the client). `timeout` bounds each read.
    explicit SdpClient(transport::Transport& t,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

    void set_progress(ProgressFn fn) { progress_ = std::move(fn); }
    // How long jump_address() waits for an error word after the HAB word (default 300 ms; a
    // silent ROM means the jump was taken).
    void set_jump_error_wait(std::chrono::milliseconds wait) { jump_wait_ = wait; }
    // The HAB word of the last exchange (0 before any).
    std::uint32_t last_hab_word() const { return hab_word_; }
    // True when the last HAB word was HAB_LOCKED (closed part).
    bool hab_closed() const;

    // ERROR_STATUS: returns the raw status word (0xF0F0F0F0 = no HAB error).
    std::uint32_t error_status();
    // READ_REGISTER: reads `count` bytes at `address` with access width `format` bits (8/16/32).
    // A bad width or an address not aligned to it is a Usage error and sends nothing.
    Bytes read_register(std::uint32_t address, std::uint32_t count, std::uint8_t format = 32);
    // WRITE_REGISTER: writes `value` (width `format` bits) at `address` (aligned to the width).
    void write_register(std::uint32_t address, std::uint32_t value, std::uint8_t format = 32);
    // WRITE_FILE: loads `data` at `address` (split in kMaxWriteFileChunk commands).
    void write_file(std::uint32_t address, ByteView data);
    // WRITE_DCD: sends a DCD (as in an image, header included) to be executed from `address`.
    void write_dcd(std::uint32_t address, ByteView dcd);
    // WRITE_CSF: sends a CSF to `address`.
    void write_csf(std::uint32_t address, ByteView csf);
    // SKIP_DCD_HEADER: makes the next JUMP_ADDRESS ignore the image's DCD.
    void skip_dcd_header();
    // JUMP_ADDRESS: runs the image whose IVT is at `ivt_address`. Returns after the HAB word; when
    // the ROM instead reports an error word within a short wait, throws Error(Verification) with it
    // (the ROM refused the image: HAB or IVT; not worth retrying).
    void jump_address(std::uint32_t ivt_address);
    // SET_BAUDRATE: asks the ROM to switch speed, then switches the transport.
    void set_baudrate(std::uint32_t baud);

  private:
    void send_command(const sdp::Command& cmd);
    void send_data(ByteView data);
    std::uint32_t read_word(const char* what, std::chrono::milliseconds timeout);
    std::uint32_t read_hab_word(sdp::CommandType type);
    void expect_status(sdp::CommandType type);
    void write_blob(sdp::CommandType type, std::uint32_t address, ByteView data);

    transport::Transport& t_;
    std::chrono::milliseconds timeout_;
    ProgressFn progress_;
    std::uint32_t hab_word_ = 0;
    std::chrono::milliseconds jump_wait_{300};
};

}  // namespace rtprov::proto
