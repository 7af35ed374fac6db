// SDP host: commands, data phases and responses over HID reports or a UART byte stream.

#include "rtprov/proto/sdp_client.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::proto {

using sdp::CommandType;

namespace {

std::string word_text(std::uint32_t w) {
    const std::string name = sdp::response_name(w);
    return name.starts_with("0x") ? fmt::format("0x{:08X}", w)
                                  : fmt::format("0x{:08X} ({})", w, name);
}

// Register accesses are FORMAT bits wide and aligned to that width (the ROM accesses the
// address with that width; sdphost refuses unaligned addresses before sending anything).
void check_access(std::uint32_t address, std::uint8_t format) {
    if (format != 8 && format != 16 && format != 32) {
        throw Error(ErrorCode::Usage,
                    fmt::format("access width {} bits, expected 8, 16 or 32", format));
    }
    if (address % (format / 8u) != 0) {
        throw Error(ErrorCode::Usage,
                    fmt::format("address 0x{:08X} is not aligned to {} bits", address, format));
    }
}

}  // namespace

SdpClient::SdpClient(transport::Transport& t, std::chrono::milliseconds timeout)
    : t_(t), timeout_(timeout) {}

bool SdpClient::hab_closed() const {
    return hab_word_ == static_cast<std::uint32_t>(sdp::Response::HabLocked);
}

void SdpClient::send_command(const sdp::Command& cmd) {
    t_.flush();
    const auto bytes = sdp::encode_command(cmd);
    if (t_.is_hid()) {
        t_.write_report(static_cast<std::uint8_t>(sdp::ReportId::Command), bytes);
    } else {
        t_.write(bytes);
    }
}

void SdpClient::send_data(ByteView data) {
    std::uint64_t done = 0;
    const std::size_t chunk = t_.is_hid() ? sdp::kDataReportSize : 1024;
    while (done < data.size()) {
        const std::size_t n = std::min<std::size_t>(chunk, data.size() - done);
        const ByteView part = data.subspan(done, n);
        if (t_.is_hid()) {
            // Some ROMs expect full-size data reports: pad the last one with zeros.
            Bytes report(sdp::kDataReportSize, 0);
            std::copy(part.begin(), part.end(), report.begin());
            t_.write_report(static_cast<std::uint8_t>(sdp::ReportId::Data), report);
        } else {
            t_.write(part);
        }
        done += n;
        if (progress_)
            progress_(done, data.size());
    }
}

// Reads one 4-byte word: HID report 3 (HAB) or 4 (status) by `what`, raw bytes on UART.
std::uint32_t SdpClient::read_word(const char* what, std::chrono::milliseconds timeout) {
    if (!t_.is_hid()) {
        std::uint8_t b[4];
        read_exact(t_, b, timeout);
        return sdp::decode_word(b);
    }
    const bool hab = std::string_view(what) == "HAB";
    const auto want =
        static_cast<std::uint8_t>(hab ? sdp::ReportId::HabStatus : sdp::ReportId::Response);
    auto r = t_.read_report(timeout);
    if (!r) {
        throw Error(ErrorCode::Device, fmt::format("{}: no {} response within {} ms", t_.describe(),
                                                   what, timeout.count()));
    }
    if (r->id != want) {
        throw Error(ErrorCode::Device,
                    fmt::format("expected report {} ({} word), got report {}", want, what, r->id));
    }
    return sdp::decode_word(r->data);
}

std::uint32_t SdpClient::read_hab_word(CommandType type) {
    const std::uint32_t w =
        with_context(sdp::command_name(type), [&] { return read_word("HAB", timeout_); });
    if (!sdp::is_hab_word(w)) {
        throw Error(ErrorCode::Device,
                    fmt::format("{}: first response {}, expected a HAB word (0x56787856 open or "
                                "0x12343412 closed)",
                                sdp::command_name(type), word_text(w)));
    }
    hab_word_ = w;
    return w;
}

void SdpClient::expect_status(CommandType type) {
    const std::uint32_t want = sdp::expected_status(type);
    const std::uint32_t got =
        with_context(sdp::command_name(type), [&] { return read_word("status", timeout_); });
    if (got != want) {
        throw Error(
            ErrorCode::Device,
            fmt::format("{}: status {}, expected {}{}", sdp::command_name(type), word_text(got),
                        word_text(want), hab_closed() ? " (HAB is closed)" : ""));
    }
}

std::uint32_t SdpClient::error_status() {
    send_command({CommandType::ErrorStatus});
    read_hab_word(CommandType::ErrorStatus);
    return with_context("ERROR_STATUS", [&] { return read_word("status", timeout_); });
}

Bytes SdpClient::read_register(std::uint32_t address, std::uint32_t count, std::uint8_t format) {
    check_access(address, format);
    send_command({CommandType::ReadRegister, address, format, count, 0});
    read_hab_word(CommandType::ReadRegister);
    Bytes out(count);
    if (!t_.is_hid()) {
        read_exact(t_, out, timeout_);
        return out;
    }
    std::size_t done = 0;
    while (done < count) {
        auto r = t_.read_report(timeout_);
        if (!r) {
            throw Error(ErrorCode::Device,
                        fmt::format("READ_REGISTER: timeout after {} of {} bytes", done, count));
        }
        if (r->id != static_cast<std::uint8_t>(sdp::ReportId::Response)) {
            throw Error(
                ErrorCode::Device,
                fmt::format("READ_REGISTER: expected report 4 (data), got report {}", r->id));
        }
        const std::size_t n = std::min<std::size_t>(r->data.size(), count - done);
        std::copy_n(r->data.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
    }
    return out;
}

void SdpClient::write_register(std::uint32_t address, std::uint32_t value, std::uint8_t format) {
    check_access(address, format);
    send_command({CommandType::WriteRegister, address, format, format / 8u, value});
    read_hab_word(CommandType::WriteRegister);
    expect_status(CommandType::WriteRegister);
}

void SdpClient::write_blob(CommandType type, std::uint32_t address, ByteView data) {
    send_command({type, address, 0, static_cast<std::uint32_t>(data.size()), 0});
    send_data(data);
    read_hab_word(type);
    expect_status(type);
}

void SdpClient::write_file(std::uint32_t address, ByteView data) {
    const ProgressFn outer = progress_;
    std::size_t offset = 0;
    do {
        const std::size_t n = std::min<std::size_t>(sdp::kMaxWriteFileChunk, data.size() - offset);
        if (outer) {
            progress_ = [&, base = offset](std::uint64_t done, std::uint64_t) {
                outer(base + done, data.size());
            };
        }
        write_blob(CommandType::WriteFile, address + static_cast<std::uint32_t>(offset),
                   data.subspan(offset, n));
        offset += n;
    } while (offset < data.size());
    progress_ = outer;
}

void SdpClient::write_dcd(std::uint32_t address, ByteView dcd) {
    write_blob(CommandType::WriteDcd, address, dcd);
}

void SdpClient::write_csf(std::uint32_t address, ByteView csf) {
    write_blob(CommandType::WriteCsf, address, csf);
}

void SdpClient::skip_dcd_header() {
    send_command({CommandType::SkipDcdHeader});
    read_hab_word(CommandType::SkipDcdHeader);
    expect_status(CommandType::SkipDcdHeader);
}

void SdpClient::jump_address(std::uint32_t ivt_address) {
    send_command({CommandType::JumpAddress, ivt_address});
    read_hab_word(CommandType::JumpAddress);
    std::uint32_t err = 0;
    try {
        err = read_word("status", jump_wait_);
    } catch (const Error&) {
        return;  // nothing (or a disconnect): the ROM is running the image
    }
    // The ROM's verdict on the image (HAB, IVT), not a link failure: another try cannot help.
    throw Error(ErrorCode::Verification,
                fmt::format("JUMP_ADDRESS 0x{:08X}: the ROM refused the image: {}", ivt_address,
                            sdp::describe_error_status(err)));
}

void SdpClient::set_baudrate(std::uint32_t baud) {
    send_command({CommandType::SetBaudrate, baud});
    read_hab_word(CommandType::SetBaudrate);
    expect_status(CommandType::SetBaudrate);
    t_.set_baud_rate(baud);
}

}  // namespace rtprov::proto
