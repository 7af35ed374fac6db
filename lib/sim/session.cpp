#include "rtprov/sim/session.hpp"

#include <algorithm>
#include <thread>

#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

namespace mb = proto::mboot;
namespace sdp = proto::sdp;

// SDP command types have two equal bytes from this set; anything else at the start of the
// receive buffer is line noise (or a host probing with MCUBoot pings) and is skipped.
bool sdp_type_byte(std::uint8_t b) {
    switch (b) {
        case 0x01:
        case 0x02:
        case 0x04:
        case 0x05:
        case 0x06:
        case 0x0A:
        case 0x0B:
        case 0x0C:
        case 0x0D:
            return true;
        default:
            return false;
    }
}

Bytes to_bytes(std::span<const std::uint8_t> s) {
    return Bytes(s.begin(), s.end());
}

}  // namespace

Session::Session(Chip& chip, FaultInjector* faults) : chip_(&chip), faults_(faults), rom_(chip) {
    sync_mode();
}

void Session::sync_mode() {
    if (chip_->mode() == serving_ && (serving_ == ChipMode::Rom || loader_))
        return;
    serving_ = chip_->mode();
    dirty_ = true;
    if (serving_ == ChipMode::App) {
        loader_.reset();  // the application runs: no boot protocol on this link
    } else if (serving_ == ChipMode::Flashloader) {
        FlashloaderFaults hooks;
        if (faults_ != nullptr) {
            hooks.program_fail = [f = faults_] { return f->program_fail(); };
            hooks.power_loss_after = faults_->spec().power_loss_after;
        }
        loader_ = std::make_unique<Flashloader>(*chip_, std::move(hooks));
    } else {
        loader_.reset();
        rom_ = BootRom(*chip_);
    }
}

void Session::restart_link() {
    rx_.clear();
    tx_.clear();
    awaiting_ack_ = false;
    if (loader_)
        loader_->abort_data_phase();
}

bool Session::take_dirty() {
    const bool loader_dirty = loader_ && loader_->take_dirty();
    return std::exchange(dirty_, false) || loader_dirty;
}

bool Session::power_lost() const {
    return loader_ && loader_->power_lost();
}

// ---- UART -----------------------------------------------------------------------------------

Bytes Session::on_bytes(ByteView in) {
    Bytes out;
    for (std::uint8_t b : in) {
        if (faults_ == nullptr || !faults_->drop_byte())
            rx_.push_back(b);
    }
    // A jump or a reset switches protocol in the middle of the buffer: loop until stable.
    for (int round = 0; round < 4; ++round) {
        const ChipMode before = serving_;
        if (serving_ == ChipMode::App) {
            rx_.clear();  // the application does not speak SDP or MCUBoot
            break;
        }
        if (serving_ == ChipMode::Rom) {
            sdp_bytes({}, out);
        } else {
            mboot_bytes(out);
        }
        if (serving_ == before)
            break;
    }
    return out;
}

void Session::send_sdp_reply(const SdpReply& r, Bytes& out) const {
    const auto hab = sdp::encode_word(r.hab_word);
    out.insert(out.end(), hab.begin(), hab.end());
    out.insert(out.end(), r.payload.begin(), r.payload.end());
}

void Session::sdp_bytes(ByteView, Bytes& out) {
    std::size_t at = 0;
    while (at < rx_.size()) {
        if (rom_.data_remaining() > 0) {
            const std::size_t n = std::min<std::size_t>(rom_.data_remaining(), rx_.size() - at);
            auto reply = rom_.on_data(ByteView(rx_).subspan(at, n));
            at += n;
            if (reply)
                send_sdp_reply(*reply, out);
            continue;
        }
        if (!sdp_type_byte(rx_[at]) || (at + 1 < rx_.size() && rx_[at + 1] != rx_[at])) {
            ++at;
            continue;
        }
        if (rx_.size() - at < sdp::kCommandSize)
            break;
        sdp::Command cmd;
        try {
            cmd = sdp::decode_command(ByteView(rx_).subspan(at, sdp::kCommandSize));
        } catch (const Error&) {
            ++at;
            continue;
        }
        at += sdp::kCommandSize;
        if (auto reply = rom_.on_command(cmd))
            send_sdp_reply(*reply, out);
        if (rom_.take_jumped()) {
            sync_mode();
            break;
        }
    }
    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(at));
}

void Session::ack(Bytes& out) {
    if (faults_ != nullptr) {
        const auto delay = faults_->ack_delay();
        if (delay.count() > 0)
            std::this_thread::sleep_for(delay);
    }
    const auto a = mb::encode_short_frame(mb::PacketType::Ack);
    out.insert(out.end(), a.begin(), a.end());
}

void Session::queue_mboot(std::vector<MbootOut> items) {
    for (auto& item : items) {
        tx_.push_back(mb::encode_frame(item.data ? mb::PacketType::Data : mb::PacketType::Command,
                                       item.bytes));
    }
}

void Session::send_next_frame(Bytes& out) {
    if (awaiting_ack_ || tx_.empty())
        return;
    last_frame_ = std::move(tx_.front());
    tx_.pop_front();
    awaiting_ack_ = true;
    send_frame(last_frame_, out);
}

void Session::send_frame(const Bytes& frame, Bytes& out) {
    const std::size_t start = out.size();
    out.insert(out.end(), frame.begin(), frame.end());
    if (faults_ != nullptr && faults_->corrupt_crc())
        out[start + 4] ^= 0xA5;
}

void Session::mboot_bytes(Bytes& out) {
    std::size_t at = 0;
    while (at < rx_.size()) {
        mb::FrameDecode f = mb::decode_frame(ByteView(rx_).subspan(at));
        if (f.kind == mb::FrameDecode::Kind::NeedMore)
            break;
        at += std::max<std::size_t>(f.consumed, 1);
        switch (f.kind) {
            case mb::FrameDecode::Kind::Short:
                if (f.type == mb::PacketType::Ack) {
                    awaiting_ack_ = false;
                    send_next_frame(out);
                } else if (f.type == mb::PacketType::Nak && awaiting_ack_) {
                    // A resent frame crosses the same noisy line: it may be corrupted again.
                    send_frame(last_frame_, out);
                } else if (f.type == mb::PacketType::Ping) {
                    // A ping starts over: whatever exchange was under way is abandoned.
                    tx_.clear();
                    awaiting_ack_ = false;
                    loader_->abort_data_phase();
                    const auto r = mb::encode_ping_response({});
                    out.insert(out.end(), r.begin(), r.end());
                }
                break;
            case mb::FrameDecode::Kind::Frame:
                if (faults_ != nullptr && faults_->nak()) {
                    const auto n = mb::encode_short_frame(mb::PacketType::Nak);
                    out.insert(out.end(), n.begin(), n.end());
                    break;
                }
                ack(out);
                // The host sends a frame only once it has received ours, so a frame while we
                // wait for an ACK means that ACK was lost. Over a pty this is common: SPSDK
                // flushes its output (tcflush TCOFLUSH) before every write, which discards the
                // ACK it wrote last if we have not read it yet (on a UART it was on the wire).
                awaiting_ack_ = false;
                if (f.type == mb::PacketType::Command) {
                    tx_.clear();  // a new command ends whatever the last one still had queued
                    queue_mboot(loader_->on_command(f.payload));
                } else if (f.type == mb::PacketType::Data) {
                    queue_mboot(loader_->on_data(f.payload));
                }
                send_next_frame(out);
                break;
            case mb::FrameDecode::Kind::BadCrc: {
                const auto n = mb::encode_short_frame(mb::PacketType::Nak);
                out.insert(out.end(), n.begin(), n.end());
                break;
            }
            default:  // junk, stray ping responses, invalid types: skipped
                break;
        }
        if (loader_->power_lost())
            break;
        // After a reset the ROM takes over once the host has acknowledged the reset response.
        if (chip_->mode() != serving_ && !awaiting_ack_ && tx_.empty()) {
            sync_mode();
            break;
        }
    }
    rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(std::min(at, rx_.size())));
}

// ---- HID ------------------------------------------------------------------------------------

std::vector<transport::HidReport> Session::on_report(const transport::HidReport& report) {
    std::vector<transport::HidReport> out;
    if (serving_ == ChipMode::App)
        return out;
    if (serving_ == ChipMode::Rom) {
        std::optional<SdpReply> reply;
        if (report.id == static_cast<std::uint8_t>(sdp::ReportId::Command)) {
            try {
                reply = rom_.on_command(sdp::decode_command(report.data));
            } catch (const Error&) {
                return out;  // not a command the ROM knows: ignored
            }
        } else if (report.id == static_cast<std::uint8_t>(sdp::ReportId::Data)) {
            reply = rom_.on_data(report.data);
        }
        if (reply) {
            out.push_back({static_cast<std::uint8_t>(sdp::ReportId::HabStatus),
                           to_bytes(sdp::encode_word(reply->hab_word))});
            for (std::size_t at = 0; at < reply->payload.size(); at += sdp::kResponseReportSize) {
                const std::size_t n =
                    std::min(sdp::kResponseReportSize, reply->payload.size() - at);
                Bytes chunk(reply->payload.begin() + static_cast<std::ptrdiff_t>(at),
                            reply->payload.begin() + static_cast<std::ptrdiff_t>(at + n));
                chunk.resize(sdp::kResponseReportSize, 0);
                out.push_back({static_cast<std::uint8_t>(sdp::ReportId::Response), chunk});
            }
        }
        if (rom_.take_jumped())
            sync_mode();
        return out;
    }
    std::vector<MbootOut> items;
    try {
        const Bytes payload = mb::decode_hid_payload(report.data);
        if (report.id == static_cast<std::uint8_t>(mb::ReportId::CommandOut)) {
            items = loader_->on_command(payload);
        } else if (report.id == static_cast<std::uint8_t>(mb::ReportId::DataOut)) {
            items = loader_->on_data(payload);
        }
    } catch (const Error&) {
        return out;  // malformed report: a real device drops it
    }
    for (auto& item : items) {
        out.push_back(
            {static_cast<std::uint8_t>(item.data ? mb::ReportId::DataIn : mb::ReportId::CommandIn),
             mb::encode_hid_payload(item.bytes)});
    }
    sync_mode();
    return out;
}

}  // namespace rtprov::sim
