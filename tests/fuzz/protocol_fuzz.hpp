#pragma once
// Input layout of the protocol targets, shared with the seed generator (make_seeds.cpp), which
// records real exchanges between rtprov's clients and the simulator in this layout.
//
// Host side (sdp_host, mboot_host): byte 0 = flags (bit 0: USB-HID, bits 1-2: retries), then
// operations, each  u8 op | u32 address | u32 arg | u16 n | n bytes the device sends back.
// Over UART those bytes are served as they are, in reads of at most (arg >> 24) bytes when that
// is non-zero; over HID they are reports, each  u8 id | u16 length | data.
//
// Device side (sdp_sim, mboot_sim): byte 0 = flags (bit 0: USB-HID, bits 1-2: part), then what
// the host sends, each piece  u16 n | n bytes  (HID: the piece is  u8 id | data); n = 0xFFFF
// (no bytes follow) reconnects the link.
//
// Integers are little-endian; a truncated field ends the input.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>

#include "fuzz_support.hpp"
#include "rtprov/transport/transport.hpp"

namespace rtprov::fuzz {

inline constexpr std::uint16_t kReconnect = 0xFFFF;

// Reads the layout's little-endian fields; every read past the end yields nullopt.
class Reader {
  public:
    explicit Reader(ByteView in) : in_(in) {}
    bool done() const { return pos_ >= in_.size(); }
    template <class T>
    std::optional<T> number() {
        if (in_.size() - pos_ < sizeof(T))
            return std::nullopt;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            v |= std::uint64_t{in_[pos_ + i]} << (8 * i);
        pos_ += sizeof(T);
        return static_cast<T>(v);
    }
    ByteView bytes(std::size_t n) {
        n = std::min(n, in_.size() - pos_);
        const ByteView out = in_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

  private:
    ByteView in_;
    std::size_t pos_ = 0;
};

// A link whose device answers with the bytes of the current operation; what the host sends is
// dropped. When they run out, reads time out at once, as a silent device would.
class ScriptedLink final : public transport::Transport {
  public:
    explicit ScriptedLink(bool hid) : hid_(hid) {}

    void next_operation(ByteView device_bytes, std::uint32_t arg) {
        rx_.assign(device_bytes.begin(), device_bytes.end());
        pos_ = 0;
        chunk_ = arg >> 24;
    }

    bool is_hid() const override { return hid_; }
    void write(ByteView /*data*/) override { require(!hid_, "byte-stream write on a HID link"); }
    std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds /*timeout*/) override {
        require(!hid_, "byte-stream read on a HID link");
        std::size_t n = std::min(buf.size(), rx_.size() - pos_);
        if (chunk_ != 0)
            n = std::min<std::size_t>(n, chunk_);
        std::copy_n(rx_.begin() + static_cast<std::ptrdiff_t>(pos_), n, buf.begin());
        pos_ += n;
        return n;
    }
    void write_report(std::uint8_t /*id*/, ByteView /*payload*/) override {
        require(hid_, "report write on a byte-stream link");
    }
    std::optional<transport::HidReport> read_report(
        std::chrono::milliseconds /*timeout*/) override {
        require(hid_, "report read on a byte-stream link");
        Reader r(ByteView(rx_).subspan(pos_));
        const auto id = r.number<std::uint8_t>();
        const auto len = r.number<std::uint16_t>();
        if (!id || !len)
            return std::nullopt;
        transport::HidReport report;
        report.id = *id;
        const ByteView data = r.bytes(*len);
        report.data.assign(data.begin(), data.end());
        pos_ += 3 + data.size();
        return report;
    }
    void flush() override {}
    std::string describe() const override { return hid_ ? "fuzz-hid" : "fuzz-uart"; }

  private:
    // A client must use the calls of its link kind (the real transports throw Internal too).
    static void require(bool ok, const char* what) {
        if (!ok)
            throw Error(ErrorCode::Internal, what);
    }

    bool hid_;
    Bytes rx_;
    std::size_t pos_ = 0;
    std::uint32_t chunk_ = 0;
};

// One host-side operation of the layout.
struct HostOperation {
    std::uint8_t op = 0;
    std::uint32_t address = 0;
    std::uint32_t arg = 0;
    ByteView device_bytes;
};

inline std::optional<HostOperation> next_host_operation(Reader& r) {
    const auto op = r.number<std::uint8_t>();
    const auto address = r.number<std::uint32_t>();
    const auto arg = r.number<std::uint32_t>();
    const auto n = r.number<std::uint16_t>();
    if (!op || !address || !arg || !n)
        return std::nullopt;
    return HostOperation{*op, *address, *arg, r.bytes(*n)};
}

}  // namespace rtprov::fuzz
