// McuBootClient's blhost-level commands, built on the sequences in mboot_client.cpp.

#include <fmt/format.h>

#include "rtprov/proto/mboot_client.hpp"

namespace rtprov::proto {

using mboot::CommandTag;
using mboot::Packet;

namespace {

constexpr auto tag_of(CommandTag t) {
    return static_cast<std::uint8_t>(t);
}

}  // namespace

std::vector<std::uint32_t> McuBootClient::get_property(std::uint8_t property, std::uint32_t index) {
    const Packet r = transact(mboot::make_command(CommandTag::GetProperty, {property, index}));
    return {r.params.begin() + 1, r.params.end()};
}

void McuBootClient::set_property(std::uint8_t property, std::uint32_t value) {
    transact(mboot::make_command(CommandTag::SetProperty, {property, value}));
}

std::uint32_t McuBootClient::max_packet_size() {
    if (!max_packet_) {
        max_packet_ = mboot::kDefaultMaxPacketSize;
        try {
            auto v = get_property(static_cast<std::uint8_t>(mboot::Property::MaxPacketSize));
            if (!v.empty() && v[0] >= 32)
                max_packet_ = v[0];
        } catch (const McuBootStatusError&) {
            // Device without the property: keep the protocol's minimum.
        }
    }
    return *max_packet_;
}

Bytes McuBootClient::read_memory(std::uint32_t address, std::uint32_t count,
                                 std::uint32_t memory_id) {
    const Packet r =
        transact(mboot::make_command(CommandTag::ReadMemory, {address, count, memory_id}));
    const std::uint32_t n = r.params.size() >= 2 ? r.params[1] : count;
    return receive_data_phase(std::min(n, count), tag_of(CommandTag::ReadMemory));
}

void McuBootClient::write_memory(std::uint32_t address, ByteView data, std::uint32_t memory_id) {
    max_packet_size();  // before the command: the data phase must not be interrupted
    const auto size = static_cast<std::uint32_t>(data.size());
    transact(mboot::make_command(CommandTag::WriteMemory, {address, size, memory_id}, true));
    send_data_phase(data);
    check_status(receive_response(tag_of(CommandTag::WriteMemory)),
                 tag_of(CommandTag::WriteMemory));
}

void McuBootClient::fill_memory(std::uint32_t address, std::uint32_t count, std::uint32_t pattern) {
    transact(mboot::make_command(CommandTag::FillMemory, {address, count, pattern}));
}

void McuBootClient::flash_erase_region(std::uint32_t address, std::uint32_t count,
                                       std::uint32_t memory_id) {
    transact(mboot::make_command(CommandTag::FlashEraseRegion, {address, count, memory_id}));
}

void McuBootClient::flash_erase_all(std::uint32_t memory_id) {
    transact(mboot::make_command(CommandTag::FlashEraseAll, {memory_id}));
}

void McuBootClient::configure_memory(std::uint32_t memory_id, std::uint32_t address) {
    transact(mboot::make_command(CommandTag::ConfigureMemory, {memory_id, address}));
}

std::uint32_t McuBootClient::efuse_read_once(std::uint32_t index, std::uint32_t count) {
    const Packet r = transact(mboot::make_command(CommandTag::FlashReadOnce, {index, count}));
    if (r.params.size() < 3) {
        throw Error(
            ErrorCode::Device,
            fmt::format("efuse-read-once: response with {} params, expected 3", r.params.size()));
    }
    return r.params[2];
}

void McuBootClient::efuse_program_once(std::uint32_t index, std::uint32_t value,
                                       std::uint32_t count) {
    transact(mboot::make_command(CommandTag::FlashProgramOnce, {index, count, value}));
}

Bytes McuBootClient::flash_read_resource(std::uint32_t address, std::uint32_t count,
                                         std::uint32_t option) {
    const Packet r =
        transact(mboot::make_command(CommandTag::FlashReadResource, {address, count, option}));
    const std::uint32_t n = r.params.size() >= 2 ? r.params[1] : count;
    return receive_data_phase(std::min(n, count), tag_of(CommandTag::FlashReadResource));
}

void McuBootClient::receive_sb_file(ByteView sb) {
    max_packet_size();
    const auto size = static_cast<std::uint32_t>(sb.size());
    transact(mboot::make_command(CommandTag::ReceiveSbFile, {size}, true));
    send_data_phase(sb);
    check_status(receive_response(tag_of(CommandTag::ReceiveSbFile)),
                 tag_of(CommandTag::ReceiveSbFile));
}

void McuBootClient::execute(std::uint32_t address, std::uint32_t argument,
                            std::uint32_t stack_pointer) {
    transact(mboot::make_command(CommandTag::Execute, {address, argument, stack_pointer}));
}

void McuBootClient::call(std::uint32_t address, std::uint32_t argument) {
    transact(mboot::make_command(CommandTag::Call, {address, argument}));
}

void McuBootClient::reset() {
    try {
        transact(mboot::make_command(CommandTag::Reset, {}));
    } catch (const McuBootStatusError&) {
        throw;
    } catch (const Error&) {
        // No answer or a closed link: the device reset before it could respond.
    }
}

Bytes McuBootClient::generate_key_blob(ByteView dek, std::uint32_t key_sel,
                                       std::uint32_t blob_size) {
    max_packet_size();
    constexpr auto tag = tag_of(CommandTag::GenerateKeyBlob);
    const auto size = static_cast<std::uint32_t>(dek.size());
    transact(mboot::make_command(CommandTag::GenerateKeyBlob, {key_sel, size, 0}, true));
    send_data_phase(dek);
    check_status(receive_response(tag), tag);
    const Packet r =
        transact(mboot::make_command(CommandTag::GenerateKeyBlob, {key_sel, blob_size, 1}));
    const std::uint32_t n = r.params.size() >= 2 ? r.params[1] : blob_size;
    return receive_data_phase(n, tag);
}

}  // namespace rtprov::proto
