// The memory steps of a board: configure-memory, erase, write, verify (by readback), reset.

#include <algorithm>

#include <fmt/format.h>

#include "board_writer.hpp"
#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/flash_option.hpp"
#include "rtprov/pkg/write_plan.hpp"

namespace rtprov::write::detail {

namespace {

namespace mb = proto::mboot;

// Bytes per write-memory / read-memory / erase command: small enough that a retry repeats
// little and progress moves, large enough that command overhead does not matter.
constexpr std::uint32_t kChunk = 64 * 1024;
constexpr std::uint32_t kDefaultSectorSize = 4096;
constexpr std::uint32_t kSectorSizeValid = 1u << 3;  // external memory attributes flag

std::uint64_t total_length(const std::vector<Range>& ranges) {
    std::uint64_t n = 0;
    for (const auto& r : ranges)
        n += r.length;
    return n;
}

}  // namespace

const Bytes& BoardWriter::file(const std::string& path) const {
    const auto it = job_.package.files.find(path);
    if (it == job_.package.files.end())
        throw Error(ErrorCode::BadInput, fmt::format("the package has no file '{}'", path));
    return it->second;
}

const pkg::WriteStep* BoardWriter::write_step_for(const pkg::WriteStep& erase) const {
    for (const auto& s : job_.package.manifest.write_plan) {
        if (s.op == pkg::StepOp::Write && s.memory_id == erase.memory_id &&
            s.address == erase.address)
            return &s;
    }
    return nullptr;
}

void BoardWriter::apply_configuration(const pkg::WriteStep& s) {
    Bytes block;
    if (!s.fcb_file.empty()) {
        const Bytes& f = file(s.fcb_file);
        if (static_cast<std::uint64_t>(s.fcb_offset) + boot::kFcbSize > f.size()) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: no FCB at offset 0x{:X} (file of {} bytes)", s.fcb_file,
                                    s.fcb_offset, f.size()));
        }
        block.assign(f.begin() + s.fcb_offset, f.begin() + s.fcb_offset + boot::kFcbSize);
    } else {
        for (std::uint32_t w : s.option_words)
            append_le32(block, w);
    }
    if (block.empty())
        throw Error(ErrorCode::BadInput, "configure-memory step without an FCB or option words");
    // The option block goes into the flashloader's communication buffer, as blhost does.
    const std::uint32_t buffer = job_.device->comm_buffer;
    mb().write_memory(buffer, block, 0);
    mb().configure_memory(s.memory_id, buffer);
}

StepDone BoardWriter::configure(const pkg::WriteStep& s) {
    if (s.fcb_file.empty() && s.option_words == std::vector<std::uint32_t>{boot::kProgramFcbOption})
        return program_fcb(s);
    if (is_bee_option(s))
        return configure_bee(s);
    retry("configure-memory", [&] { apply_configuration(s); });
    configured_.push_back(s);
    sector_sizes_.erase(s.memory_id);
    check_memory_size(s);
    if (!s.fcb_file.empty()) {
        return {fmt::format("memory {} configured with the FCB of {}", s.memory_id, s.fcb_file)};
    }
    return {fmt::format("memory {} configured with option word 0x{:08X}", s.memory_id,
                        s.option_words.front())};
}

StepDone BoardWriter::program_fcb(const pkg::WriteStep& s) {
    // The FCB goes where the boot ROM reads it on the flash the next write goes to.
    const auto& plan = job_.package.manifest.write_plan;
    const auto next = std::find_if(plan.begin(), plan.end(), [&](const pkg::WriteStep& w) {
        return w.op == pkg::StepOp::Write && w.memory_id == s.memory_id;
    });
    if (next == plan.end())
        throw Error(ErrorCode::BadInput, "configure-memory 0xF000000F without a write after it");
    const std::uint32_t address = pkg::flexspi_fcb_address(*job_.device, next->address);
    const auto read_tag = [&] {
        return load_le32(mb().read_memory(address, 4, s.memory_id).data());
    };
    // Not kept in configured_: it is an action, not a configuration, and is never replayed on a
    // reconnect (the FCB area is no longer blank then).
    retry("configure-memory 0xF000000F (program FCB)", [&] {
        try {
            apply_configuration(s);
        } catch (const proto::McuBootStatusError& e) {
            // An earlier attempt wrote the FCB and its answer was lost.
            if (e.status() !=
                    static_cast<std::uint32_t>(proto::mboot::Status::MemoryCumulativeWrite) ||
                read_tag() != boot::kFcbTag)
                throw;
        }
    });
    const std::uint32_t tag = retry("read the FCB", read_tag);
    if (tag != boot::kFcbTag) {
        throw Error(ErrorCode::Verification,
                    fmt::format("the flashloader programmed no FCB at 0x{:08X}: tag 0x{:08X}, "
                                "expected \"FCFB\"",
                                address, tag));
    }
    sector_sizes_.erase(s.memory_id);
    return {
        fmt::format("the flashloader programmed an FCB at 0x{:08X} from its configuration "
                    "(read back: \"FCFB\" tag)",
                    address)};
}

std::uint32_t BoardWriter::sector_size(std::uint32_t memory_id) {
    if (auto it = sector_sizes_.find(memory_id); it != sector_sizes_.end())
        return it->second;
    std::uint32_t size = 0;
    // Devices that do not know a property answer with a status: fall back, do not fail.
    try {
        const auto v = retry("get-property external-memory-attributes", [&] {
            return mb().get_property(
                static_cast<std::uint8_t>(mb::Property::ExternalMemoryAttributes), memory_id);
        });
        if (v.size() >= 5 && (v[0] & kSectorSizeValid) != 0)
            size = v[4];
    } catch (const proto::McuBootStatusError&) {
    }
    if (size == 0) {
        try {
            const auto v = retry("get-property flash-sector-size", [&] {
                return mb().get_property(static_cast<std::uint8_t>(mb::Property::FlashSectorSize));
            });
            size = v.empty() ? 0 : v[0];
        } catch (const proto::McuBootStatusError&) {
        }
    }
    if (size == 0 || (size & (size - 1)) != 0)
        size = kDefaultSectorSize;
    sector_sizes_[memory_id] = size;
    return size;
}

Bytes BoardWriter::read_back(std::uint32_t memory_id, std::uint32_t address, std::uint32_t length,
                             Progress& progress) {
    Bytes out;
    out.reserve(length);
    const std::uint64_t base = progress.done();
    for (std::uint32_t off = 0; off < length; off += kChunk) {
        const std::uint32_t n = std::min(kChunk, length - off);
        const Bytes part = retry(
            fmt::format("read 0x{:08X}..0x{:08X}", address + off, address + off + n - 1), [&] {
                mb().set_progress(
                    [&](std::uint64_t done, std::uint64_t) { progress.set(base + off + done); });
                return mb().read_memory(address + off, n, memory_id);
            });
        out.insert(out.end(), part.begin(), part.end());
        progress.set(base + off + n);
    }
    return out;
}

StepDone BoardWriter::erase(const pkg::WriteStep& s) {
    const std::uint32_t sector = sector_size(s.memory_id);
    std::vector<Range> ranges;
    std::string detail;
    const pkg::WriteStep* w = write_step_for(s);
    if (compare_ && w != nullptr) {
        const Bytes& data = file(w->file);
        Progress compare(*this, data.size());
        const Bytes flash =
            read_back(w->memory_id, w->address, static_cast<std::uint32_t>(data.size()), compare);
        auto plan = compare_sectors(w->address, data, flash, sector);
        for (const Range& r : sector_runs(plan, {SectorAction::EraseWrite}))
            ranges.push_back(align_to_sectors(r.address, r.length, sector));
        const auto count = [&](SectorAction a) {
            return std::count_if(plan.begin(), plan.end(),
                                 [&](const SectorPlan& p) { return p.action == a; });
        };
        detail = fmt::format("compared {} sectors of {} bytes: {} unchanged, {} blank, {} erased",
                             plan.size(), sector, count(SectorAction::Keep),
                             count(SectorAction::Write), count(SectorAction::EraseWrite));
        sectors_[{w->memory_id, w->address}] = std::move(plan);
    } else {
        ranges.push_back(align_to_sectors(s.address, s.length, sector));
        detail = fmt::format("erased 0x{:08X}..0x{:08X} ({} sectors of {} bytes)",
                             ranges[0].address, ranges[0].address + ranges[0].length - 1,
                             ranges[0].length / sector, sector);
    }
    const std::uint32_t chunk = std::max(kChunk - kChunk % sector, sector);
    Progress progress(*this, total_length(ranges));
    for (const Range& r : ranges) {
        for (std::uint32_t off = 0; off < r.length; off += chunk) {
            const std::uint32_t n = std::min(chunk, r.length - off);
            retry(fmt::format("erase 0x{:08X}..0x{:08X}", r.address + off, r.address + off + n - 1),
                  [&] { mb().flash_erase_region(r.address + off, n, s.memory_id); });
            progress.add(n);
        }
    }
    return {detail};
}

StepDone BoardWriter::write(const pkg::WriteStep& s) {
    const Bytes& data = file(s.file);
    std::vector<Range> ranges;
    if (auto it = sectors_.find({s.memory_id, s.address}); it != sectors_.end()) {
        ranges = sector_runs(it->second, {SectorAction::Write, SectorAction::EraseWrite});
    } else {
        ranges.push_back({s.address, static_cast<std::uint32_t>(data.size())});
    }
    const std::uint64_t total = total_length(ranges);
    Progress progress(*this, total);
    for (const Range& r : ranges) {
        for (std::uint32_t off = 0; off < r.length; off += kChunk) {
            const std::uint32_t n = std::min(kChunk, r.length - off);
            const std::uint32_t address = r.address + off;
            const ByteView part = ByteView(data).subspan(address - s.address, n);
            const std::uint64_t base = progress.done();
            // Writing the same bytes again is harmless on NOR (bits only go 1 -> 0), so a chunk
            // that failed half way is simply written again.
            retry(fmt::format("write 0x{:08X}..0x{:08X}", address, address + n - 1), [&] {
                mb().set_progress(
                    [&](std::uint64_t done, std::uint64_t) { progress.set(base + done); });
                mb().write_memory(address, part, s.memory_id);
            });
            progress.set(base + n);
            r_.bytes_written += n;
        }
    }
    const std::uint64_t unchanged = data.size() - total;
    r_.bytes_unchanged += unchanged;
    if (unchanged > 0) {
        return {fmt::format("wrote {} of {} bytes at 0x{:08X}; {} bytes already there", total,
                            data.size(), s.address, unchanged),
                total == 0};
    }
    return {fmt::format("wrote {} bytes at 0x{:08X}", total, s.address)};
}

StepDone BoardWriter::verify(const pkg::WriteStep& s) {
    const Bytes& data = file(s.file);
    std::vector<Range> ranges;
    if (auto it = sectors_.find({s.memory_id, s.address}); it != sectors_.end()) {
        // Sectors found equal were read back just before: only what was written is read again.
        ranges = sector_runs(it->second, {SectorAction::Write, SectorAction::EraseWrite});
    } else {
        ranges.push_back({s.address, static_cast<std::uint32_t>(data.size())});
    }
    Progress progress(*this, total_length(ranges));
    const std::vector<Range> facs = otpmk_facs(s);
    std::uint64_t encrypted = 0;  // bytes inside the FACs: ciphertext, not compared
    for (const Range& r : ranges) {
        const Bytes back = read_back(s.memory_id, r.address, r.length, progress);
        const ByteView in_file = ByteView(data).subspan(r.address - s.address, r.length);
        Bytes want(in_file.begin(), in_file.end());
        encrypted += skip_facs(facs, r.address, want, back);
        const auto diff = std::mismatch(want.begin(), want.end(), back.begin());
        if (diff.first != want.end()) {
            const auto at = static_cast<std::uint32_t>(diff.first - want.begin());
            std::size_t count = 0;
            for (std::size_t i = 0; i < want.size(); ++i)
                count += want[i] != back[i] ? 1 : 0;
            throw Error(ErrorCode::Verification,
                        fmt::format("readback differs from {} at 0x{:08X}: read 0x{:02X}, "
                                    "expected 0x{:02X} ({} bytes differ in 0x{:08X}..0x{:08X})",
                                    s.file, r.address + at, *diff.second, *diff.first, count,
                                    r.address, r.address + r.length - 1));
        }
    }
    const std::uint64_t checked = total_length(ranges);
    if (!facs.empty()) {
        std::string where;
        for (const Range& f : facs)
            where += fmt::format("{}0x{:08X}..0x{:08X}", where.empty() ? "" : ", ", f.address,
                                 f.address + f.length - 1);
        return {fmt::format("read back {} bytes: the {} outside the encrypted ranges equal; "
                            "the {} inside ({}) not compared: the flashloader encrypted them "
                            "with the part's OTPMK, which no host knows; the boot check decides",
                            checked, checked - encrypted, encrypted, where)};
    }
    if (checked < data.size()) {
        return {fmt::format("read back {} bytes: equal; {} bytes compared equal before erasing",
                            checked, data.size() - checked)};
    }
    return {fmt::format("read back {} bytes: equal", checked)};
}

StepDone BoardWriter::reset() {
    retry("reset", [&] { mb().reset(); });
    // The boot ROM runs now and boots what was written; the flashloader is gone.
    mb_.reset();
    return {"the part restarts from its boot device"};
}

}  // namespace rtprov::write::detail
