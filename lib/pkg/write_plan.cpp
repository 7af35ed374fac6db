#include "rtprov/pkg/write_plan.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/hab/csf.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

namespace {

// SEMC NOR as the RT10xx flashloader addresses it (memory id 8): the SEMC window's NOR chip
// select. Unverified on hardware; the simulator models FlexSPI NOR only.
constexpr std::uint32_t kSemcNorBase = 0x90000000;

// The memory-mapped window a NOR image is written through: the XIP region holding its IVT when
// it executes in place (FlexSPI2 on the RT1064's internal flash), else the part's first one.
std::uint32_t nor_window(const device::Device& dev, std::uint32_t ivt_address) {
    if (const device::MemoryRegion* r = dev.region_of(ivt_address); r != nullptr && r->xip)
        return r->start;
    for (const auto& r : dev.memory)
        if (r.xip)
            return r.start;
    throw Error(ErrorCode::Internal, fmt::format("{} has no FlexSPI window", dev.name));
}

}  // namespace

std::uint32_t boot_device_memory_id(device::BootDevice boot_device) {
    using device::BootDevice;
    switch (boot_device) {
        case BootDevice::FlexspiNor:
            return 0x9;
        case BootDevice::SemcNor:
            return 0x8;
        case BootDevice::SemcNand:
            return 0x100;
        case BootDevice::FlexspiNand:
            return 0x101;
        case BootDevice::RecoverySpi:
            return 0x110;
        case BootDevice::Sd:
            return 0x120;
        case BootDevice::Mmc:
            return 0x121;
        case BootDevice::SerialDownloader:
            return 0;
    }
    return 0;
}

ImageEntry place_image(const device::Device& dev, device::BootDevice boot_device,
                       const std::string& file, ByteView data, bool is_signed) {
    const boot::ParsedImage parsed = boot::parse_boot_image(data, file);
    ImageEntry e{std::string(device::boot_device_name(boot_device)), file, is_signed,
                 boot_device_memory_id(boot_device), parsed.file_address};
    if (e.memory_id == 0)
        return e;  // RAM: the address is where the ROM loads it
    const device::BootLayout* layout = dev.layout(boot_device);
    if (layout == nullptr) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: {} cannot boot from {}", file, dev.name, e.boot_device));
    }
    if (parsed.ivt_file_offset > layout->ivt_offset) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: IVT at file offset 0x{:X}, but {} expects it at boot-device "
                                "offset 0x{:X}: the image cannot start before the device",
                                file, parsed.ivt_file_offset, e.boot_device, layout->ivt_offset));
    }
    const std::uint32_t offset = layout->ivt_offset - parsed.ivt_file_offset;
    if (boot_device == device::BootDevice::FlexspiNor)
        e.address = nor_window(dev, parsed.ivt.self) + offset;
    else if (boot_device == device::BootDevice::SemcNor)
        e.address = kSemcNorBase + offset;
    else
        e.address = offset;  // block devices: a byte offset
    return e;
}

std::string describe_configuration(const WriteStep& s) {
    if (!s.fcb_file.empty())
        return fmt::format("0x{:X} with the FCB of {}", s.memory_id, s.fcb_file);
    if (s.option_words.empty())
        return fmt::format("0x{:X} without option words", s.memory_id);
    const std::uint32_t w = s.option_words.front();
    std::string what = fmt::format("0x{:X} with option 0x{:08X}", s.memory_id, w);
    if (w == boot::kProgramFcbOption)
        return what + ": the flashloader programs its configuration as the FCB";
    if (const auto enc = encrypt_on_write(s)) {  // secure-factory.md §2, §4
        std::string ranges;
        for (const EncryptedRange& r : enc->ranges)
            ranges += fmt::format("{}0x{:08X}+0x{:X}", ranges.empty() ? "" : ", ", r.start,
                                  r.length);
        if (enc->engine == EncryptEngine::Otfad) {
            return what + fmt::format(": OTFAD with the part's OTPMK, the flashloader writes the "
                                      "key blobs at offset 0 and encrypts {} while writing",
                                      ranges);
        }
        return what + fmt::format(": BEE with the part's OTPMK, the flashloader writes the "
                                  "header and encrypts {} while writing",
                                  ranges);
    }
    if (s.memory_id == boot_device_memory_id(device::BootDevice::FlexspiNor) &&
        !boot::flexspi_nor_option_problem(w))
        what += " (" + boot::describe_flexspi_nor_option(w) + ")";
    return what;
}

std::optional<EncryptOnWrite> encrypt_on_write(const WriteStep& s) {
    if (s.op != StepOp::ConfigureMemory || !s.fcb_file.empty() || s.option_words.empty() ||
        (s.option_words.front() >> 28) != 0xE)
        return std::nullopt;
    const std::uint32_t w = s.option_words.front();
    EncryptOnWrite out;
    // BEE's block has its mode and count in bits 23:16; OTFAD's leaves them zero (bits 11:8).
    const bool bee = (w & 0x00FF0000u) != 0;
    out.engine = bee ? EncryptEngine::Bee : EncryptEngine::Otfad;
    const std::uint32_t count = bee ? (w >> 16) & 0xF : (w >> 8) & 0xF;
    for (std::uint32_t i = 0; i < count && 2 + 2 * i < s.option_words.size(); ++i) {
        const std::uint32_t start = s.option_words[1 + 2 * i], second = s.option_words[2 + 2 * i];
        out.ranges.push_back({start, bee ? second : second - start + 1});
    }
    return out;
}

std::uint32_t flexspi_fcb_address(const device::Device& dev, std::uint32_t image_address) {
    const device::BootLayout* layout = dev.layout(device::BootDevice::FlexspiNor);
    if (layout == nullptr)
        throw Error(ErrorCode::Internal, fmt::format("{} has no FlexSPI NOR layout", dev.name));
    return nor_window(dev, image_address) + layout->fcb_offset;
}

FlashloaderEntry place_flashloader(const std::string& file, ByteView data, bool is_signed) {
    const boot::ParsedImage parsed = boot::parse_boot_image(data, file);
    return {file, is_signed, parsed.file_address, parsed.ivt.self};
}

std::optional<std::uint32_t> dek_blob_on_device(const ImageEntry& img, ByteView data) {
    const boot::ParsedImage p = boot::parse_boot_image(data, img.file);
    if (!p.csf_file_offset)
        return std::nullopt;
    const hab::ParsedCsf csf = with_context(img.file, [&] {
        return hab::parse_csf(data.subspan(*p.csf_file_offset));
    });
    const auto blob = hab::dek_blob_address(csf);
    if (!blob)
        return std::nullopt;
    if (*blob < p.file_address)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: the CSF reads the DEK blob at 0x{:08x}, before the image",
                                img.file, *blob));
    return static_cast<std::uint32_t>(img.address + (*blob - p.file_address));
}

std::vector<WriteStep> make_write_plan(const Manifest& m,
                                       const std::function<ByteView(const std::string&)>& file_data,
                                       const std::optional<NorFcbPlan>& nor_fcb) {
    std::vector<WriteStep> plan;
    const auto step = [&](StepOp op) -> WriteStep& {
        plan.emplace_back();
        plan.back().op = op;
        return plan.back();
    };
    const auto memory_step = [&](StepOp op, const ImageEntry& img) -> WriteStep& {
        WriteStep& s = step(op);
        s.memory_id = img.memory_id;
        s.address = img.address;
        return s;
    };
    const bool has_dek = m.secrets && std::find(m.secrets->names.begin(), m.secrets->names.end(),
                                                kDekSecret) != m.secrets->names.end();
    step(StepOp::LoadFlashloader);
    for (const ImageEntry& img : m.images) {
        if (img.memory_id == 0)
            continue;
        const ByteView data = file_data(img.file);
        const boot::ParsedImage parsed = boot::parse_boot_image(data, img.file);
        std::optional<std::uint32_t> blob;
        if (has_dek)
            blob = dek_blob_on_device(img, data);
        // What is erased: the image and, HAB-encrypted, the blob area after its CSF.
        const std::uint64_t erase_length =
            blob.has_value() ? std::uint64_t{blob.value()} + hab::kKeyBlobSize - img.address
                             : std::uint64_t{data.size()};
        const auto write_verify = [&] {
            memory_step(StepOp::Write, img).file = img.file;
            memory_step(StepOp::Verify, img).file = img.file;
            if (blob.has_value()) {
                WriteStep& k = memory_step(StepOp::KeyBlob, img);
                k.address = blob.value();
                k.secret = kDekSecret;
            }
        };
        if (parsed.fcb) {
            WriteStep& config = step(StepOp::ConfigureMemory);
            config.memory_id = img.memory_id;
            config.fcb_file = img.file;
            config.fcb_offset = parsed.fcb_file_offset;
        } else if (img.memory_id == boot_device_memory_id(device::BootDevice::FlexspiNor)) {
            WriteStep& config = step(StepOp::ConfigureMemory);
            config.memory_id = img.memory_id;
            config.option_words = {nor_fcb ? nor_fcb->option : kDefaultFlexspiNorOption};
            if (nor_fcb) {
                // NXP's write scripts: configure, erase (the FCB sector too), then 0xF000000F
                // makes the flashloader write its configuration block as the FCB. With the
                // project's FCB loaded as that configuration, the FCB written is the project's.
                if (!nor_fcb->fcb_file.empty()) {
                    WriteStep& fcb = step(StepOp::ConfigureMemory);
                    fcb.memory_id = img.memory_id;
                    fcb.fcb_file = nor_fcb->fcb_file;
                }
                WriteStep& erase = step(StepOp::Erase);
                erase.memory_id = img.memory_id;
                erase.address = flexspi_fcb_address(device::find_device(m.device), img.address);
                erase.length = boot::kFcbSize;
                memory_step(StepOp::Erase, img).length = erase_length;
                WriteStep& program = step(StepOp::ConfigureMemory);
                program.memory_id = img.memory_id;
                program.option_words = {boot::kProgramFcbOption};
                write_verify();
                continue;
            }
        }
        // Other memories are configured by option words a project would state; without them
        // the flashloader's defaults apply and the step is left out.
        memory_step(StepOp::Erase, img).length = erase_length;
        write_verify();
    }
    if (!m.fuses.empty()) {
        std::vector<std::string> words;
        std::vector<std::string> lock_fields;
        for (const FuseWordPlan& w : m.fuses) {
            words.push_back(w.word);
            if (w.lock != LockPolicy::None && std::find(lock_fields.begin(), lock_fields.end(),
                                                        w.lock_field) == lock_fields.end()) {
                lock_fields.push_back(w.lock_field);
            }
        }
        step(StepOp::ProgramFuses).words = std::move(words);
        for (auto& field : lock_fields)
            step(StepOp::LockFuses).field = std::move(field);
    }
    step(StepOp::Reset);
    return plan;
}

}  // namespace rtprov::pkg
