// MCUBoot host: framing (UART with ACK/NAK/CRC, or HID reports), command/response sequences and
// data phases chunked to the device's MaxPacketSize.

#include "rtprov/proto/mboot_client.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace rtprov::proto {

using mboot::CommandTag;
using mboot::FrameDecode;
using mboot::Packet;
using mboot::PacketType;

namespace {

constexpr std::uint32_t kSuccess = 0;

bool is_success(std::uint32_t status, std::uint8_t tag) {
    if (status == kSuccess)
        return true;
    // An SB file may end with a jump or reset the flashloader announces instead of performing.
    return tag == static_cast<std::uint8_t>(CommandTag::ReceiveSbFile) &&
           (status == static_cast<std::uint32_t>(mboot::Status::RomLdrPendingJump) ||
            status == static_cast<std::uint32_t>(mboot::Status::RomLdrPendingReset));
}

}  // namespace

McuBootClient::McuBootClient(transport::Transport& t, std::chrono::milliseconds timeout)
    : t_(t), timeout_(timeout) {}

FrameDecode McuBootClient::next_frame(std::chrono::milliseconds timeout, const char* waiting_for) {
    int bad = 0;
    for (;;) {
        FrameDecode f = mboot::decode_frame(rx_);
        switch (f.kind) {
            case FrameDecode::Kind::Junk:  // 0x00 "not ready" bytes and line noise
                rx_.erase(rx_.begin());
                continue;
            case FrameDecode::Kind::NeedMore: {
                std::uint8_t buf[512];
                const std::size_t want = std::clamp<std::size_t>(f.needed, 1, sizeof buf);
                const std::size_t n = t_.read(std::span(buf, want), timeout);
                if (n == 0) {
                    throw Error(ErrorCode::Device,
                                fmt::format("{}: no {} within {} ms", t_.describe(), waiting_for,
                                            timeout.count()));
                }
                rx_.insert(rx_.end(), buf, buf + n);
                continue;
            }
            case FrameDecode::Kind::BadCrc:
                rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(f.consumed));
                if (++bad > retries_) {
                    throw Error(ErrorCode::Device,
                                fmt::format("{}: {} ({} corrupt frames in a row)", t_.describe(),
                                            f.error, bad));
                }
                if (f.type != PacketType::PingResponse) {
                    t_.write(mboot::encode_short_frame(PacketType::Nak));  // ask for a resend
                }
                continue;
            case FrameDecode::Kind::Invalid:
                rx_.clear();
                throw Error(ErrorCode::Device, fmt::format("{}: {}", t_.describe(), f.error));
            default:
                rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(f.consumed));
                return f;
        }
    }
}

mboot::PingResponse McuBootClient::ping() {
    if (t_.is_hid())
        throw Error(ErrorCode::Usage, "ping is only available over UART");
    rx_.clear();
    t_.flush();
    t_.write(mboot::encode_short_frame(PacketType::Ping));
    for (;;) {
        FrameDecode f = next_frame(timeout_, "ping response");
        if (f.kind == FrameDecode::Kind::Ping)
            return f.ping;
    }
}

bool McuBootClient::send_packet(PacketType type, ByteView payload) {
    if (t_.is_hid()) {
        const auto id =
            type == PacketType::Command ? mboot::ReportId::CommandOut : mboot::ReportId::DataOut;
        if (type == PacketType::Data) {
            // A report already waiting during a data phase is the device's final answer (abort).
            if (auto r = t_.read_report(std::chrono::milliseconds(0))) {
                early_response_ = mboot::decode_packet(mboot::decode_hid_payload(r->data));
                return false;
            }
        }
        t_.write_report(static_cast<std::uint8_t>(id), mboot::encode_hid_payload(payload));
        return true;
    }
    const Bytes frame = mboot::encode_frame(type, payload);
    for (int attempt = 0;; ++attempt) {
        t_.write(frame);
        FrameDecode f = next_frame(timeout_, "ACK");
        if (f.kind == FrameDecode::Kind::Short && f.type == PacketType::Ack)
            return true;
        if (f.kind == FrameDecode::Kind::Short && f.type == PacketType::Abort)
            return false;
        if (f.kind == FrameDecode::Kind::Short && f.type == PacketType::Nak && attempt < retries_) {
            continue;
        }
        throw Error(ErrorCode::Device,
                    fmt::format("{}: expected ACK, got packet type 0x{:02X}{}", t_.describe(),
                                static_cast<unsigned>(f.type),
                                f.type == PacketType::Nak ? " (NAK after all retries)" : ""));
    }
}

std::optional<Bytes> McuBootClient::receive(PacketType expect, std::chrono::milliseconds timeout) {
    const char* what = expect == PacketType::Command ? "response" : "data";
    if (t_.is_hid()) {
        auto r = t_.read_report(timeout);
        if (!r) {
            throw Error(ErrorCode::Device, fmt::format("{}: no {} within {} ms", t_.describe(),
                                                       what, timeout.count()));
        }
        const auto want = static_cast<std::uint8_t>(
            expect == PacketType::Command ? mboot::ReportId::CommandIn : mboot::ReportId::DataIn);
        Bytes payload = mboot::decode_hid_payload(r->data);
        if (payload.empty())
            return std::nullopt;  // data abort
        if (r->id != want) {
            throw Error(ErrorCode::Device, fmt::format("{}: expected report {} ({}), got report {}",
                                                       t_.describe(), want, what, r->id));
        }
        return payload;
    }
    FrameDecode f = next_frame(timeout, what);
    if (f.kind != FrameDecode::Kind::Frame || f.type != expect) {
        throw Error(ErrorCode::Device,
                    fmt::format("{}: expected a {} packet, got type 0x{:02X}", t_.describe(), what,
                                static_cast<unsigned>(f.type)));
    }
    t_.write(mboot::encode_short_frame(PacketType::Ack));
    if (f.payload.empty())
        return std::nullopt;
    return std::move(f.payload);
}

Packet McuBootClient::receive_response(std::uint8_t command_tag) {
    if (early_response_) {
        Packet p = std::move(*early_response_);
        early_response_.reset();
        return p;
    }
    auto bytes = receive(PacketType::Command, timeout_);
    if (!bytes) {
        throw Error(ErrorCode::Device,
                    fmt::format("{}: empty response packet", mboot::command_name(command_tag)));
    }
    return with_context(mboot::command_name(command_tag),
                        [&] { return mboot::decode_packet(*bytes); });
}

void McuBootClient::check_status(const Packet& r, std::uint8_t command_tag) const {
    const std::uint32_t status = r.status();
    if (!is_success(status, command_tag)) {
        throw McuBootStatusError(status,
                                 fmt::format("{}: {} ({})", mboot::command_name(command_tag),
                                             mboot::status_name(status), status));
    }
    if (r.tag == static_cast<std::uint8_t>(mboot::ResponseTag::Generic) && r.params.size() >= 2 &&
        r.params[1] != command_tag) {
        throw Error(ErrorCode::Device, fmt::format("{}: response is for command 0x{:02X}",
                                                   mboot::command_name(command_tag), r.params[1]));
    }
}

Packet McuBootClient::transact(const Packet& cmd) {
    rx_.clear();
    early_response_.reset();
    t_.flush();
    send_packet(PacketType::Command, mboot::encode_packet(cmd));
    Packet r = receive_response(cmd.tag);
    check_status(r, cmd.tag);
    return r;
}

Packet McuBootClient::command(const Packet& cmd, bool check) {
    if (check)
        return transact(cmd);
    rx_.clear();
    t_.flush();
    send_packet(PacketType::Command, mboot::encode_packet(cmd));
    return receive_response(cmd.tag);
}

bool McuBootClient::send_data_phase(ByteView data) {
    const std::size_t chunk = std::min<std::size_t>(max_packet_size(), mboot::kMaxFramePayload);
    std::size_t done = 0;
    while (done < data.size()) {
        const std::size_t n = std::min(chunk, data.size() - done);
        if (!send_packet(PacketType::Data, data.subspan(done, n)))
            return false;
        done += n;
        if (progress_)
            progress_(done, data.size());
    }
    return true;
}

Bytes McuBootClient::receive_data_phase(std::uint32_t count, std::uint8_t tag) {
    Bytes out;
    out.reserve(count);
    while (out.size() < count) {
        auto chunk = receive(PacketType::Data, timeout_);
        if (!chunk)
            break;  // device aborted: its final response says why
        out.insert(out.end(), chunk->begin(), chunk->end());
        if (progress_)
            progress_(std::min<std::size_t>(out.size(), count), count);
    }
    const Packet final_response = receive_response(tag);
    check_status(final_response, tag);
    if (out.size() != count) {
        throw Error(ErrorCode::Device, fmt::format("{}: received {} of {} bytes",
                                                   mboot::command_name(tag), out.size(), count));
    }
    return out;
}

}  // namespace rtprov::proto
