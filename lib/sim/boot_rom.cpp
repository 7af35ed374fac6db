#include "rtprov/sim/boot_rom.hpp"

#include <algorithm>
#include <variant>

#include <fmt/format.h>

#include "rtprov/boot/dcd.hpp"
#include "rtprov/boot/ivt.hpp"
#include "rtprov/sim/image_check.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sim {

namespace {

using proto::sdp::CommandType;
using proto::sdp::Response;

constexpr std::uint32_t word(Response r) {
    return static_cast<std::uint32_t>(r);
}

// ERROR_STATUS words after a failure: HAB status 0x33 (failure), a reason and a context byte
// (spsdk/sdp/error_codes.py), as the HAB event the ROM would log.
constexpr std::uint32_t hab_failure(std::uint8_t reason, std::uint8_t context) {
    return 0x33000000u | (std::uint32_t{reason} << 16) | (std::uint32_t{context} << 8);
}
constexpr std::uint8_t kReasonInvalidIvt = 0x05;
constexpr std::uint8_t kReasonInvalidAddress = 0x22;
constexpr std::uint8_t kReasonInvalidDcd = 0x27;
constexpr std::uint8_t kReasonInvalidSignature = 0x18;
constexpr std::uint8_t kContextAuthenticate = 0x0A;
constexpr std::uint8_t kContextRunDcd = 0xDD;

Bytes word_bytes(std::uint32_t w) {
    const auto b = proto::sdp::encode_word(w);
    return Bytes(b.begin(), b.end());
}

}  // namespace

std::uint32_t BootRom::hab_word() const {
    return word(chip_->fuses().hab_closed() ? Response::HabLocked : Response::HabUnlocked);
}

SdpReply BootRom::reply(std::uint32_t status) const {
    return {hab_word(), word_bytes(status)};
}

bool BootRom::take_jumped() {
    return std::exchange(jumped_, false);
}

std::optional<std::uint32_t> BootRom::take_baud_rate() {
    return std::exchange(baud_, std::nullopt);
}

std::optional<SdpReply> BootRom::on_command(const proto::sdp::Command& cmd) {
    current_ = cmd;
    remaining_ = 0;
    buffer_.clear();
    switch (cmd.type) {
        case CommandType::ReadRegister:
            return read_register(cmd);
        case CommandType::WriteRegister:
            return write_register(cmd);
        case CommandType::WriteFile:
        case CommandType::WriteDcd:
        case CommandType::WriteCsf:
            remaining_ = cmd.count;
            if (remaining_ == 0)
                return finish_data_phase();
            buffer_.reserve(std::min<std::uint32_t>(cmd.count, 16u << 20));
            return std::nullopt;
        case CommandType::ErrorStatus:
            return reply(hab_status_);
        case CommandType::JumpAddress:
            return jump(cmd.address);
        case CommandType::SkipDcdHeader:
            skip_dcd_ = true;
            return reply(word(Response::SkipDcdOk));
        case CommandType::SetBaudrate:
            baud_ = cmd.address;
            return reply(word(Response::BaudrateSet));
    }
    return reply(hab_failure(0x06, 0));  // invalid command
}

std::optional<SdpReply> BootRom::on_data(ByteView data) {
    const std::size_t n = std::min<std::size_t>(data.size(), remaining_);
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    remaining_ -= static_cast<std::uint32_t>(n);
    if (remaining_ > 0)
        return std::nullopt;
    return finish_data_phase();
}

SdpReply BootRom::finish_data_phase() {
    const std::uint32_t address = current_.address;
    if (chip_->write(address, buffer_) != BusStatus::Ok) {
        hab_status_ = hab_failure(kReasonInvalidAddress, 0);
        return reply(hab_status_);
    }
    switch (current_.type) {
        case CommandType::WriteFile: {
            const std::uint32_t end = address + static_cast<std::uint32_t>(buffer_.size());
            if (loaded_end_ == loaded_start_) {
                loaded_start_ = address;
                loaded_end_ = end;
            } else {
                loaded_start_ = std::min(loaded_start_, address);
                loaded_end_ = std::max(loaded_end_, end);
            }
            return reply(word(Response::WriteFileOk));
        }
        case CommandType::WriteDcd:
            if (!run_dcd(buffer_))
                return reply(hab_status_);
            return reply(word(Response::WriteDataOk));
        default:  // WRITE_CSF: stored for the jump's authentication
            return reply(word(Response::WriteDataOk));
    }
}

// Executes a DCD's Write Data commands on the chip model. Check Data commands pass: the model's
// registers never change on their own, so a poll would only wait.
bool BootRom::run_dcd(ByteView dcd) {
    boot::Dcd parsed;
    try {
        parsed = boot::parse_dcd(dcd, "DCD");
    } catch (const Error&) {
        hab_status_ = hab_failure(kReasonInvalidDcd, kContextRunDcd);
        return false;
    }
    for (const auto& command : parsed.commands) {
        const auto* write = std::get_if<boot::DcdWrite>(&command);
        if (write == nullptr)
            continue;
        for (const auto& e : write->entries) {
            Bytes cur(write->width);
            chip_->read(e.address, cur);
            std::uint32_t old = 0;
            for (std::size_t i = 0; i < cur.size(); ++i)
                old |= std::uint32_t{cur[i]} << (8 * i);
            std::uint32_t v = e.value;
            switch (write->op) {
                case boot::DcdWriteOp::WriteValue:
                    break;
                case boot::DcdWriteOp::WriteClearBits:
                case boot::DcdWriteOp::ClearBitMask:
                    v = old & ~e.value;
                    break;
                case boot::DcdWriteOp::SetBitMask:
                    v = old | e.value;
                    break;
            }
            for (std::size_t i = 0; i < cur.size(); ++i)
                cur[i] = static_cast<std::uint8_t>(v >> (8 * i));
            if (chip_->write(e.address, cur) != BusStatus::Ok) {
                hab_status_ = hab_failure(kReasonInvalidAddress, kContextRunDcd);
                return false;
            }
        }
    }
    return true;
}

SdpReply BootRom::read_register(const proto::sdp::Command& cmd) {
    // The count is the host's: a real ROM streams that many bytes, however many. The simulator
    // answers at most kMaxReadRegister of them (hosts read in small pieces; sdphost's default is
    // 4 bytes) instead of allocating up to 4 GiB for one command; a host asking more runs into
    // its own read timeout, as with a ROM that stopped sending.
    Bytes data(std::min(cmd.count, kMaxReadRegister), 0);
    if (chip_->read(cmd.address, data) != BusStatus::Ok) {
        // The range leaves readable memory: what is readable in it, zeros for the rest.
        std::fill(data.begin(), data.end(), 0);
        constexpr std::size_t kPiece = 256;
        for (std::size_t at = 0; at < data.size(); at += kPiece) {
            const auto piece = std::span(data).subspan(at, std::min(kPiece, data.size() - at));
            if (chip_->read(cmd.address + static_cast<std::uint32_t>(at), piece) != BusStatus::Ok)
                std::fill(piece.begin(), piece.end(), 0);
        }
    }
    return {hab_word(), std::move(data)};
}

SdpReply BootRom::write_register(const proto::sdp::Command& cmd) {
    const std::size_t width = cmd.format == 8 ? 1 : cmd.format == 16 ? 2 : 4;
    Bytes bytes(width);
    for (std::size_t i = 0; i < width; ++i)
        bytes[i] = static_cast<std::uint8_t>(cmd.data >> (8 * i));
    if (cmd.address % width != 0 || chip_->write(cmd.address, bytes) != BusStatus::Ok) {
        hab_status_ = hab_failure(kReasonInvalidAddress, 0);
        return reply(hab_status_);
    }
    return reply(word(Response::WriteDataOk));
}

SdpReply BootRom::jump(std::uint32_t address) {
    Bytes ivt_bytes(boot::kIvtSize);
    if (!skip_dcd_ && chip_->read(address, ivt_bytes) == BusStatus::Ok &&
        boot::looks_like_ivt(ivt_bytes)) {
        const std::uint32_t dcd_address = load_le32(&ivt_bytes[0x0C]);
        Bytes header(4);
        if (dcd_address != 0 && chip_->read(dcd_address, header) == BusStatus::Ok &&
            header[0] == boot::kDcdTag) {
            Bytes dcd(load_be16(&header[1]));
            chip_->read(dcd_address, dcd);
            if (!run_dcd(dcd)) {
                jump_error_ = fmt::format("DCD at 0x{:08X} failed", dcd_address);
                return reply(hab_status_);
            }
        }
    }
    skip_dcd_ = false;
    const Verdict v = check_ram_jump(*chip_, address, loaded_start_, loaded_end_);
    if (!v.ok) {
        jump_error_ = v.reason;
        hab_status_ = v.reason.starts_with("HAB")
                          ? hab_failure(kReasonInvalidSignature, kContextAuthenticate)
                          : hab_failure(kReasonInvalidIvt, kContextAuthenticate);
        return reply(hab_status_);
    }
    jump_error_.clear();
    // The simulator does not execute code: any image the ROM accepts is taken to be the
    // flashloader, which then answers MCUBoot on the same link.
    chip_->set_mode(ChipMode::Flashloader);
    jumped_ = true;
    return {hab_word(), {}};
}

}  // namespace rtprov::sim
