#include "export_fuses.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/hab/csf.hpp"
#include "rtprov/util/bytes.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg::detail {

std::uint32_t field_mask(const device::FuseField& f) {
    return ((f.width >= 32 ? 0u : (1u << f.width)) - 1u) << f.shift;
}

void add_field(std::vector<FuseWordPlan>& out, const device::Device& dev, std::string_view word,
               std::uint32_t mask, std::uint32_t value) {
    const auto it = std::find_if(out.begin(), out.end(),
                                 [&](const FuseWordPlan& f) { return f.word == word; });
    if (it != out.end()) {
        it->mask |= mask;
        it->value |= value;
        return;
    }
    const device::FuseWord* w = dev.fuse(word);
    if (w == nullptr)
        throw Error(ErrorCode::Internal, fmt::format("{} has no fuse word {}", dev.name, word));
    out.push_back({std::string(word), w->index, value, LockPolicy::None, "", mask, ""});
}

void add_key_word(std::vector<FuseWordPlan>& out, std::vector<Secret>& secrets,
                  const bee::FuseSetting& word, std::string_view lock_field) {
    Secret s{"fuse:" + word.word, {}};
    append_le32(s.value, word.value);
    out.push_back({word.word, word.index, 0,
                   lock_field.empty() ? LockPolicy::None : LockPolicy::AfterVerify,
                   std::string(lock_field), kWholeWord, s.name});
    secrets.push_back(std::move(s));
}

void add_to_plan(Manifest& m, const std::vector<std::string>& words,
                 const std::vector<std::string_view>& locks) {
    auto& plan = m.write_plan;
    auto program = std::find_if(plan.begin(), plan.end(),
                                [](const WriteStep& s) { return s.op == StepOp::ProgramFuses; });
    if (program == plan.end()) {
        const auto at = std::find_if(plan.begin(), plan.end(), [](const WriteStep& s) {
            return s.op == StepOp::LockFuses || s.op == StepOp::Reset;
        });
        WriteStep s;
        s.op = StepOp::ProgramFuses;
        program = plan.insert(at, std::move(s));
    }
    program->words.insert(program->words.end(), words.begin(), words.end());
    for (std::string_view field : locks) {
        const auto reset = std::find_if(plan.begin(), plan.end(),
                                        [](const WriteStep& s) { return s.op == StepOp::Reset; });
        WriteStep s;
        s.op = StepOp::LockFuses;
        s.field = std::string(field);
        plan.insert(reset, std::move(s));
    }
}

void add_before_write(Manifest& m, const ImageEntry& image,
                      std::vector<std::uint32_t> option_words) {
    const auto write = std::find_if(m.write_plan.begin(), m.write_plan.end(), [&](const auto& s) {
        return s.op == StepOp::Write && s.memory_id == image.memory_id &&
               s.address == image.address;
    });
    if (write == m.write_plan.end())
        throw Error(ErrorCode::Internal, "the write plan does not write the encrypted image");
    WriteStep s;
    s.op = StepOp::ConfigureMemory;
    s.memory_id = image.memory_id;
    s.option_words = std::move(option_words);
    m.write_plan.insert(write, std::move(s));
}

std::vector<ClearPart> clear_parts(const boot::ParsedImage& p) {
    std::vector<ClearPart> parts = {{"IVT", p.ivt.self, 0x20}, {"boot data", p.ivt.boot_data, 12}};
    if (p.ivt.dcd != 0)
        parts.push_back({"DCD", p.ivt.dcd, p.dcd_size});
    if (p.ivt.csf != 0)
        parts.push_back({"CSF", p.ivt.csf, hab::kCsfSize});
    return parts;
}

}  // namespace rtprov::pkg::detail
