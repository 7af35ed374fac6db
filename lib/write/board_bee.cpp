// BEE with the part's OTPMK on a board: the flashloader builds the region header and encrypts
// what it writes into the protected ranges (FACs) once it has the option block. The host never
// knows that key, so a readback of a FAC is ciphertext: verify compares everything outside the
// FACs and leaves the inside to the boot check (the simulator's, or --boot-check on hardware).

#include <algorithm>

#include <fmt/format.h>

#include "board_writer.hpp"
#include "rtprov/bee/bee.hpp"

namespace rtprov::write::detail {

namespace {

constexpr std::uint32_t kBeeOptionTag = 0xE;  // bits 31:28 of the option block's first word

}  // namespace

bool is_bee_option(const pkg::WriteStep& s) {
    return s.op == pkg::StepOp::ConfigureMemory && s.fcb_file.empty() &&
           !s.option_words.empty() && (s.option_words.front() >> 28) == kBeeOptionTag;
}

std::vector<Range> BoardWriter::otpmk_facs(const pkg::WriteStep& write) const {
    std::vector<Range> out;
    const auto& plan = job_.package.manifest.write_plan;
    for (const auto& s : plan) {
        if (&s == &write || (s.op == pkg::StepOp::Write && s.memory_id == write.memory_id &&
                             s.address == write.address))
            break;
        if (!is_bee_option(s) || s.memory_id != write.memory_id)
            continue;
        const std::uint32_t count = (s.option_words.front() >> 16) & 0xF;
        for (std::uint32_t i = 0; i < count && 2 + 2 * i < s.option_words.size(); ++i)
            out.push_back({s.option_words[1 + 2 * i], s.option_words[2 + 2 * i]});
    }
    return out;
}

StepDone BoardWriter::configure_bee(const pkg::WriteStep& s) {
    // Once: the flashloader programs the header at once, and a second block would program it
    // over the first. Not kept in configured_ either (see retry()).
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
    const std::uint32_t header = base + bee::kHeaderOffsets[0];
    const Bytes slot = retry("read the BEE header", [&] {
        return mb().read_memory(header, static_cast<std::uint32_t>(bee::kHeaderSize),
                                s.memory_id);
    });
    if (!bee::looks_like_header(slot)) {
        throw Error(ErrorCode::Verification,
                    fmt::format("the flashloader wrote no BEE header at 0x{:08X} after the OTPMK "
                                "option 0x{:08X}: it does not encrypt for this part",
                                header, s.option_words.front()));
    }
    std::string ranges;
    for (std::size_t i = 1; i + 1 < s.option_words.size(); i += 2)
        ranges += fmt::format("{}0x{:08X}+0x{:X}", ranges.empty() ? "" : ", ", s.option_words[i],
                              s.option_words[i + 1]);
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
