// Closing decides on what is on the part: right before SEC_CONFIG[1] is burned, the boot image is
// read back from the boot device (after every flash step, per-board data included) and
// HAB-verified against the SRK fuses just read, with the same hab::verify_image the boot ROM
// model of the simulator uses. The files of the package say what should be there, not what is.

#include <algorithm>

#include <fmt/format.h>

#include "board_writer.hpp"
#include "rtprov/boot/ivt.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/pkg/write_plan.hpp"

namespace rtprov::write::detail {

namespace {

// SEMC NOR as the RT10xx flashloader addresses it (memory id 8), as in pkg::place_image.
constexpr std::uint32_t kSemcNorBase = 0x90000000;
// A boot image on a block device (NAND, SD, eMMC) larger than this is not read back.
constexpr std::uint32_t kMaxBlockImage = 16u << 20;

std::optional<device::BootDevice> boot_device_of(std::uint32_t memory_id) {
    for (const device::BootDevice d : device::all_boot_devices()) {
        if (d != device::BootDevice::SerialDownloader && pkg::boot_device_memory_id(d) == memory_id)
            return d;
    }
    return std::nullopt;
}

// Where a boot device starts in the flashloader's addresses, found from an address on it: the
// XIP window holding it (FlexSPI NOR: FlexSPI2 on the RT1064's internal flash), the SEMC NOR
// window, byte 0 of a block device.
std::uint32_t device_base(const device::Device& dev, device::BootDevice boot_device,
                          std::uint32_t address) {
    if (boot_device == device::BootDevice::FlexspiNor) {
        if (const device::MemoryRegion* r = dev.region_of(address); r != nullptr && r->xip)
            return r->start;
        for (const auto& r : dev.memory) {
            if (r.xip)
                return r.start;
        }
        throw Error(ErrorCode::Internal, fmt::format("{} has no FlexSPI window", dev.name));
    }
    if (boot_device == device::BootDevice::SemcNor)
        return kSemcNorBase;
    return 0;
}

}  // namespace

std::vector<BootSlot> BoardWriter::boot_slots() const {
    const device::Device& dev = *job_.device;
    const pkg::Manifest& m = job_.package.manifest;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> written;  // memory id, address
    for (const pkg::ImageEntry& img : m.images) {
        if (img.memory_id != 0)
            written.emplace_back(img.memory_id, img.address);
    }
    for (const pkg::WriteStep& s : m.write_plan) {
        if (s.op == pkg::StepOp::Write || s.op == pkg::StepOp::Erase)
            written.emplace_back(s.memory_id, s.address);
        if (s.op == pkg::StepOp::PerBoardData && s.data.fuses.empty())
            written.emplace_back(s.data.memory_id, s.data.address);
    }
    // Nothing written: the part boots what its FlexSPI NOR already holds.
    if (written.empty()) {
        written.emplace_back(pkg::boot_device_memory_id(device::BootDevice::FlexspiNor),
                             device_base(dev, device::BootDevice::FlexspiNor, 0));
    }
    std::vector<BootSlot> slots;
    for (const auto& [memory_id, address] : written) {
        const auto boot_device = boot_device_of(memory_id);
        const device::BootLayout* layout = boot_device ? dev.layout(*boot_device) : nullptr;
        if (layout == nullptr) {
            throw Error(ErrorCode::Verification,
                        fmt::format("closing refused: the plan writes memory 0x{:X}, which {} "
                                    "cannot boot from: rtprov cannot check what a closed part "
                                    "would boot",
                                    memory_id, dev.name));
        }
        const std::uint32_t base = device_base(dev, *boot_device, address);
        // How far the image may reach: the end of a NOR window, else a cap.
        std::uint64_t size = kMaxBlockImage;
        if (*boot_device == device::BootDevice::FlexspiNor) {
            if (const device::MemoryRegion* r = dev.region_of(base))
                size = r->size;
        }
        const BootSlot slot{memory_id, base, size, layout};
        if (std::none_of(slots.begin(), slots.end(), [&](const BootSlot& b) {
                return b.memory_id == slot.memory_id && b.base == slot.base;
            }))
            slots.push_back(slot);
    }
    return slots;
}

std::optional<std::string> BoardWriter::boot_image_problem(const BootSlot& slot,
                                                           const hab::SrkHash& fuses,
                                                           std::string& found) {
    const std::string where = fmt::format("memory 0x{:X} at 0x{:08X}", slot.memory_id, slot.base);
    const auto read = [&](std::uint32_t offset, std::uint32_t length) {
        Progress progress(*this, length);
        return read_back(slot.memory_id, slot.base + offset, length, progress);
    };
    const std::uint32_t ivt_offset = slot.layout->ivt_offset;
    const Bytes ivt_bytes = read(ivt_offset, boot::kIvtSize);
    if (!boot::looks_like_ivt(ivt_bytes))
        return fmt::format("no IVT on {} at offset 0x{:X}", where, ivt_offset);
    const boot::Ivt ivt = boot::parse_ivt(ivt_bytes, where);
    // The boot data as the ROM finds it: at the IVT's pointer, relative to the IVT itself.
    const std::uint64_t bd_offset = static_cast<std::uint64_t>(ivt_offset) + ivt.boot_data -
                                    static_cast<std::uint64_t>(ivt.self);
    if (ivt.boot_data < ivt.self || bd_offset + boot::kBootDataSize > slot.size)
        return fmt::format(
            "the IVT on {} points at boot data 0x{:08X}, outside the device "
            "(IVT self 0x{:08X})",
            where, ivt.boot_data, ivt.self);
    const boot::BootData bd = boot::parse_boot_data(
        read(static_cast<std::uint32_t>(bd_offset), boot::kBootDataSize), where);
    if (bd.length <= ivt_offset || bd.length > slot.size)
        return fmt::format(
            "the boot data on {} gives the image a length of 0x{:X} bytes, which "
            "does not fit the device",
            where, bd.length);
    // The image from the device's first byte, as the ROM loads it: IVT, boot data, app, CSF.
    const Bytes image = read(0, bd.length);
    found = fmt::format("{}, 0x{:X} bytes", where, bd.length);
    try {
        hab::VerifyOptions vo;
        vo.fuse_hash = fuses;
        const hab::VerifyReport report = hab::verify_image(image, where, vo);
        for (const hab::VerifyCheck& c : report.checks) {
            if (c.status == hab::CheckStatus::Failed)
                return fmt::format("{}: {}", c.name, c.detail);
        }
    } catch (const Error& e) {
        return e.message();
    }
    return std::nullopt;
}

std::string BoardWriter::check_boot_images(FuseRow& close_row, const hab::SrkHash& fuses) {
    std::string checked;
    for (const BootSlot& slot : boot_slots()) {
        std::string found;
        std::optional<std::string> why;
        try {
            why = boot_image_problem(slot, fuses, found);
        } catch (const Error& e) {
            // The link or the device failing is not an answer about the image; an IVT or boot
            // data that does not parse is.
            if (e.code() != ErrorCode::BadInput)
                throw;
            why = e.message();
        }
        if (why) {
            fuse_failure(close_row, ErrorCode::Verification,
                         fmt::format("closing refused: the boot image read back from the part "
                                     "({}) does not verify against its SRK fuses ({}): {}",
                                     found.empty() ? fmt::format("memory 0x{:X} at 0x{:08X}",
                                                                 slot.memory_id, slot.base)
                                                   : found,
                                     hab::hash_hex(fuses), *why));
        }
        checked += (checked.empty() ? "" : "; ") + found;
    }
    return checked;
}

}  // namespace rtprov::write::detail
