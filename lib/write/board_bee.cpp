// BEE or OTFAD with the part's OTPMK on a board: the flashloader writes the BEE header (at
// 0x400) or the OTFAD key blob table (at 0) and encrypts what it writes into the protected ranges
// once it has the option block. The host never knows that key, so a readback of a range is
// ciphertext: verify compares everything outside the ranges and leaves the inside to the boot
// check (the simulator's, or --boot-check on hardware).

#include <algorithm>

#include <fmt/format.h>

#include "board_writer.hpp"
#include "rtprov/bee/bee.hpp"
#include "rtprov/otfad/otfad.hpp"
#include "rtprov/pkg/write_plan.hpp"

namespace rtprov::write::detail {

bool is_bee_option(const pkg::WriteStep& s) {
    return pkg::encrypt_on_write(s).has_value();
}

std::vector<Range> BoardWriter::otpmk_facs(const pkg::WriteStep& write) const {
    std::vector<Range> out;
    const auto& plan = job_.package.manifest.write_plan;
    for (const auto& s : plan) {
        if (&s == &write || (s.op == pkg::StepOp::Write && s.memory_id == write.memory_id &&
                             s.address == write.address))
            break;
        const auto enc = pkg::encrypt_on_write(s);
        if (!enc || s.memory_id != write.memory_id)
            continue;
        for (const pkg::EncryptedRange& r : enc->ranges)
            out.push_back({r.start, r.length});
    }
    return out;
}

StepDone BoardWriter::configure_bee(const pkg::WriteStep& s) {
    // Once: the flashloader programs the header (key blobs) at once, and a second block would
    // program them over the first. Not kept in configured_ either (see retry()).
    const pkg::EncryptOnWrite enc = *pkg::encrypt_on_write(s);
    const bool otfad = enc.engine == pkg::EncryptEngine::Otfad;
    apply_configuration(s);
    bee_on_ = true;
    const auto write = std::find_if(
        job_.package.manifest.write_plan.begin(), job_.package.manifest.write_plan.end(),
        [&](const pkg::WriteStep& w) {
            return w.op == pkg::StepOp::Write && w.memory_id == s.memory_id;
        });
    const std::uint32_t base =
        write != job_.package.manifest.write_plan.end() ? write->address & 0xFF000000u
                                                        : bee::kFlexspiBase;
    const std::uint32_t header = otfad ? base : base + bee::kHeaderOffsets[0];
    const std::size_t size = otfad ? otfad::kTableSize : bee::kHeaderSize;
    const Bytes slot = retry(otfad ? "read the OTFAD key blobs" : "read the BEE header", [&] {
        return mb().read_memory(header, static_cast<std::uint32_t>(size), s.memory_id);
    });
    if (otfad ? !otfad::looks_like_key_blob_table(slot) : !bee::looks_like_header(slot)) {
        throw Error(ErrorCode::Verification,
                    fmt::format("the flashloader wrote no {} at 0x{:08X} after the OTPMK "
                                "option 0x{:08X}: it does not encrypt for this part",
                                otfad ? "OTFAD key blob table" : "BEE header", header,
                                s.option_words.front()));
    }
    std::string ranges;
    for (const pkg::EncryptedRange& r : enc.ranges)
        ranges += fmt::format("{}0x{:08X}+0x{:X}", ranges.empty() ? "" : ", ", r.start, r.length);
    if (otfad) {
        return {fmt::format("the flashloader encrypts {} with this part's OTPMK while writing; "
                            "its OTFAD key blob table at 0x{:08X} reads back as 4 wrapped "
                            "records",
                            ranges, header)};
    }
    return {fmt::format("the flashloader encrypts {} with this part's OTPMK while writing; its "
                        "BEE header at 0x{:08X} reads back as an encrypted KIB and PRDB",
                        ranges, header)};
}

std::uint64_t BoardWriter::skip_facs(const std::vector<Range>& facs, std::uint32_t address,
                                     Bytes& want, ByteView back) const {
    std::uint64_t skipped = 0;
    const std::uint64_t end = std::uint64_t{address} + want.size();
    for (const Range& f : facs) {
        const std::uint64_t from = std::max<std::uint64_t>(f.address, address);
        const std::uint64_t to = std::min<std::uint64_t>(std::uint64_t{f.address} + f.length, end);
        if (from >= to || back.size() < to - address)
            continue;
        std::copy(back.begin() + (from - address), back.begin() + (to - address),
                  want.begin() + (from - address));
        skipped += to - from;
    }
    return skipped;
}

}  // namespace rtprov::write::detail
