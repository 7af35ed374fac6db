#include "rtprov/pkg/plan_view.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/flash_option.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/hab/csf.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

namespace {

constexpr std::string_view kCloseField = "SEC_CONFIG[1]";

// The manifest's part in rtprov's database, or nullptr: the description never refuses (the
// checks on reading do).
const device::Device* known_device(const std::string& name) {
    try {
        return &device::find_device(name);
    } catch (const Error&) {
        return nullptr;
    }
}

std::string memory_name(std::uint32_t memory_id) {
    if (memory_id == 0)
        return "RAM";
    for (const device::BootDevice bd : device::all_boot_devices())
        if (boot_device_memory_id(bd) == memory_id)
            return std::string(device::boot_device_name(bd));
    return "unknown memory";
}

std::string hex(std::uint64_t v) {
    return fmt::format("0x{:08x}", v);
}

class Describer {
  public:
    explicit Describer(const Manifest& m) : m_(m), dev_(known_device(m.device)) {}

    PlanView run() {
        bool closed = !can_close();
        for (std::size_t i = 0; i < m_.write_plan.size(); ++i) {
            const WriteStep& s = m_.write_plan[i];
            // `write --close` closes after the SRK words, before the first lock or the reset.
            if (!closed && (s.op == StepOp::LockFuses || s.op == StepOp::Reset)) {
                closed = true;
                add_close();
            }
            view_.steps.push_back({i + 1, s.op, step_text(i + 1, s)});
        }
        if (!closed)
            add_close();
        add_notes();
        return std::move(view_);
    }

  private:
    const FileEntry* file(const std::string& path) const {
        const auto it = std::find_if(m_.files.begin(), m_.files.end(),
                                     [&](const FileEntry& f) { return f.path == path; });
        return it == m_.files.end() ? nullptr : &*it;
    }

    std::string part() const { return dev_ != nullptr ? std::string(dev_->name) : m_.device; }

    bool can_close() const {
        if (dev_ == nullptr || dev_->fuse_field(kCloseField) == nullptr)
            return false;
        for (const WriteStep& s : m_.write_plan) {
            if (s.op == StepOp::ProgramFuses &&
                std::any_of(s.words.begin(), s.words.end(),
                            [](const std::string& w) { return w.starts_with("SRK"); }))
                return true;
        }
        return false;
    }

    PlannedRange& range(std::size_t step, const WriteStep& s, std::uint64_t length,
                        std::string what) {
        view_.ranges.push_back({step, s.op, s.memory_id, s.address, length, std::move(what)});
        return view_.ranges.back();
    }

    // The fuse word `name` as the device database has it.
    void database_word(PlannedFuse& f) const {
        const device::FuseWord* w = dev_ != nullptr ? dev_->fuse(f.word) : nullptr;
        if (w == nullptr)
            return;
        if (!f.index)
            f.index = w->index;
        else if (*f.index != w->index)
            f.database_index = w->index;
    }

    std::string step_text(std::size_t n, const WriteStep& s) {
        const std::string op(step_op_name(s.op));
        switch (s.op) {
            case StepOp::LoadFlashloader:
                return op + " " + flashloaders();
            case StepOp::ConfigureMemory:
                return op + " " + configuration(n, s);
            case StepOp::Erase:
                // The flash erases whole sectors (their size is the flashloader's to say).
                return op + " " + describe_range(range(n, s, s.length, "")) +
                       ", rounded out to whole sectors";
            case StepOp::Write:
            case StepOp::Verify: {
                const FileEntry* f = file(s.file);
                const std::uint64_t size = f != nullptr ? f->size : 0;
                const std::string& r = describe_range(range(n, s, size, s.file));
                const std::string facts =
                    f != nullptr ? fmt::format("{} bytes, sha256 {}", f->size, f->sha256)
                                 : "not in files[]";
                return s.op == StepOp::Write ? fmt::format("{} {} ({}) to {}", op, s.file, facts, r)
                                             : fmt::format("{} {} reads back as {}", op, r, s.file);
            }
            case StepOp::ProgramFuses: {
                // The flags its words need, in the order they first appear (SRK, encryption).
                std::vector<std::string> needs;
                for (const std::string& w : s.words) {
                    program_word(n, w);
                    const std::string& flag = view_.fuses.back().needs;
                    if (std::find(needs.begin(), needs.end(), flag) == needs.end())
                        needs.push_back(flag);
                }
                return fmt::format(
                    "{} {} (needs {})", op,
                    s.words.empty() ? "no words" : fmt::format("{}", fmt::join(s.words, ", ")),
                    needs.empty() ? std::string("--burn-srk")
                                  : fmt::format("{}", fmt::join(needs, " and ")));
            }
            case StepOp::LockFuses:
                return op + " " + lock(n, s.field);
            case StepOp::PerBoardData:
                return op + " " + board_data(n, s);
            case StepOp::KeyBlob: {
                const std::string& r = describe_range(range(n, s, hab::kDekBlobSize, "the DEK blob"));
                return fmt::format(
                    "{}: the part wraps the DEK '{}' (sealed in the package) into its own blob "
                    "(generate-key-blob, OTPMK), written to {} and read back",
                    op, s.secret, r);
            }
            case StepOp::Reset:
                return op + ": the part restarts from its boot device";
        }
        return op;
    }

    std::string flashloaders() const {
        if (m_.flashloaders.empty())
            return "over the boot ROM's serial downloader: none in the package (rtprov write "
                   "--flashloader FILE)";
        std::vector<std::string> parts;
        for (const FlashloaderEntry& fl : m_.flashloaders) {
            parts.push_back(
                fmt::format("{} ({}) load 0x{:08X}, IVT 0x{:08X}", fl.file,
                            fl.is_signed ? "HAB-signed, closed parts" : "unsigned, open parts",
                            fl.load_address, fl.ivt_address));
        }
        return fmt::format("over the boot ROM's serial downloader: {}", fmt::join(parts, "; "));
    }

    std::string configuration(std::size_t n, const WriteStep& s) {
        std::string what = describe_configuration(s);
        if (!s.fcb_file.empty() && s.fcb_offset != 0)
            what += fmt::format(" (at file offset 0x{:X})", s.fcb_offset);
        if (!s.fcb_file.empty() && !s.option_words.empty())
            what += " (its option words are not used: the FCB is)";
        if (s.fcb_file.empty() && s.option_words == std::vector{boot::kProgramFcbOption}) {
            // The flashloader writes the FCB where the boot ROM reads it on the flash the next
            // write of this memory goes to.
            const auto next =
                std::find_if(m_.write_plan.begin() + static_cast<std::ptrdiff_t>(n),
                             m_.write_plan.end(), [&](const WriteStep& w) {
                                 return w.op == StepOp::Write && w.memory_id == s.memory_id;
                             });
            if (next != m_.write_plan.end() && dev_ != nullptr &&
                dev_->layout(device::BootDevice::FlexspiNor) != nullptr) {
                PlannedRange& r = range(n, s, boot::kFcbSize, "the FCB");
                r.start = flexspi_fcb_address(*dev_, next->address);
                what += ", into " + describe_range(r);
            }
        }
        return what;
    }

    void program_word(std::size_t n, const std::string& name) {
        PlannedFuse f;
        f.step = n;
        f.op = StepOp::ProgramFuses;
        f.word = name;
        f.kind = PlannedValue::Word;
        f.purpose = name.starts_with("SRK") ? "srk" : "fuse";
        f.needs = "--burn-srk";
        if (encryption_word(name)) {
            f.purpose = "encryption";
            f.needs = "--burn-encryption";
        }
        const auto plan = std::find_if(m_.fuses.begin(), m_.fuses.end(),
                                       [&](const FuseWordPlan& w) { return w.word == name; });
        if (plan != m_.fuses.end()) {
            f.index = plan->index;
            f.value = plan->value;
            // A partial word sets the bits of its fields; a key word's value is a secret.
            if (plan->mask != kWholeWord)
                f.kind = PlannedValue::Bits;
            if (!plan->secret.empty())
                f.kind = PlannedValue::Secret;
            database_word(f);
        }
        view_.fuses.push_back(std::move(f));
    }

    // A word or lock field of an encryption feature the package requires (BEE, OTFAD): burned
    // with --burn-encryption.
    bool encryption_word(std::string_view name) const {
        for (const FeatureFuses& f : feature_fuses()) {
            const bool required =
                std::any_of(m_.required.begin(), m_.required.end(),
                            [&](const RequiredFeature& r) { return r.name == f.feature; });
            if (!required || !(f.feature.starts_with("bee-") || f.feature.starts_with("otfad-")))
                continue;
            if (f.lock_field == name || f.read_lock_field == name ||
                std::find(f.words.begin(), f.words.end(), name) != f.words.end())
                return true;
        }
        return false;
    }

    std::string lock(std::size_t n, const std::string& field) {
        const std::string needs = encryption_word(field) ? "--burn-encryption" : "--burn-srk";
        const device::FuseField* ff = dev_ != nullptr ? dev_->fuse_field(field) : nullptr;
        if (ff == nullptr) {
            view_.fuses.push_back({n,
                                   StepOp::LockFuses,
                                   field,
                                   {},
                                   {},
                                   PlannedValue::Bits,
                                   0,
                                   "lock " + field,
                                   needs});
            return fmt::format("{} (not a fuse field of {}) (needs {})", field, part(), needs);
        }
        PlannedFuse f{n,           StepOp::LockFuses,  std::string(ff->word), {},
                      {},          PlannedValue::Bits, 1u << ff->shift,       "lock " + field,
                      needs};
        database_word(f);
        view_.fuses.push_back(f);
        return fmt::format("{}: sets bit 0x{:08X} of {} (OTP index {}) (needs {})", field,
                           f.value, f.word, f.index ? fmt::format("0x{:02X}", *f.index) : "?",
                           needs);
    }

    std::string board_data(std::size_t n, const WriteStep& s) {
        const BoardData& d = s.data;
        if (d.fuses.empty()) {
            range(n, s, d.size, d.name);
            view_.ranges.back().memory_id = d.memory_id;
            view_.ranges.back().start = d.address;
            return describe_board_data(d) + ", assigned at write time";
        }
        for (const std::string& w : d.fuses) {
            PlannedFuse f{n,
                          StepOp::PerBoardData,
                          w,
                          {},
                          {},
                          PlannedValue::PerBoard,
                          0,
                          "data " + d.name,
                          "--burn-data-fuses"};
            database_word(f);
            view_.fuses.push_back(std::move(f));
        }
        return describe_board_data(d) + ", assigned at write time (needs --burn-data-fuses)";
    }

    void add_close() {
        if (!can_close())
            return;
        const device::FuseField* ff = dev_->fuse_field(kCloseField);
        PlannedFuse f{0,        StepOp::ProgramFuses, std::string(ff->word), {},
                      {},       PlannedValue::Bits,   1u << ff->shift,       "close",
                      "--close"};
        database_word(f);
        view_.fuses.push_back(std::move(f));
    }

    void add_notes() {
        if (m_.secrets) {
            view_.notes.push_back(
                m_.secrets->sealed
                    ? fmt::format("secrets {} in {}, sealed to station keys: only a station "
                                  "holding one of them can write the package",
                                  fmt::join(m_.secrets->names, ", "), m_.secrets->file)
                    : fmt::format("secrets {} are IN THE CLEAR in {} (exported with "
                                  "--insecure-plain-secrets): whoever has the package has the keys",
                                  fmt::join(m_.secrets->names, ", "), m_.secrets->file));
        }
        for (const FuseWordPlan& w : m_.fuses) {
            const bool burned =
                std::any_of(view_.fuses.begin(), view_.fuses.end(), [&](const PlannedFuse& f) {
                    return f.op == StepOp::ProgramFuses && f.step != 0 && f.word == w.word;
                });
            if (!burned) {
                view_.notes.push_back(fmt::format(
                    "fuses[] lists {} (OTP index 0x{:02X}, 0x{:08X}), which no program-fuses "
                    "step burns",
                    w.word, w.index, w.value));
            }
            const bool locked = std::any_of(
                view_.fuses.begin(), view_.fuses.end(),
                [&](const PlannedFuse& f) { return f.purpose == "lock " + w.lock_field; });
            if (w.lock != LockPolicy::None && !locked) {
                view_.notes.push_back(fmt::format(
                    "fuses[] says {} is locked with {} once verified, but no lock-fuses step "
                    "sets {}",
                    w.word, w.lock_field, w.lock_field));
            }
        }
        for (const PlannedFuse& f : view_.fuses) {
            if (f.op == StepOp::ProgramFuses && f.step != 0 && !f.index) {
                view_.notes.push_back(fmt::format(
                    "step {} burns {}, which fuses[] does not list: `rtprov write` refuses it",
                    f.step, f.word));
            }
        }
    }

    const Manifest& m_;
    const device::Device* dev_;
    PlanView view_;
};

std::string value_text(const PlannedFuse& f) {
    switch (f.kind) {
        case PlannedValue::Word:
            return f.index ? fmt::format("0x{:08X}", f.value) : "(no value)";
        case PlannedValue::Bits:
            return fmt::format("bits 0x{:08X}", f.value);
        case PlannedValue::PerBoard:
            return "assigned at write time";
        case PlannedValue::Secret:
            return "secret (sealed key)";
    }
    return "";
}

}  // namespace

PlanView describe_plan(const Manifest& manifest) {
    return Describer(manifest).run();
}

std::string describe_range(const PlannedRange& r) {
    const std::string where =
        fmt::format("memory 0x{:X} ({})", r.memory_id, memory_name(r.memory_id));
    if (r.length == 0)
        return fmt::format("{} 0x{:08X} (0 bytes)", where, r.start);
    return fmt::format("{} 0x{:08X}..0x{:08X} ({} bytes)", where, r.start, r.start + r.length - 1,
                       r.length);
}

std::string describe_fuse(const PlannedFuse& f) {
    const std::string index = f.index ? fmt::format("0x{:02X}", *f.index) : "?";
    const std::string where =
        f.step == 0 ? fmt::format("with {} ({}: the part then boots only signed images)", f.needs,
                                  kCloseField)
                    : fmt::format("step {} {} ({}), needs {}", f.step, step_op_name(f.op),
                                  f.purpose, f.needs);
    std::string line =
        fmt::format("{:<10} OTP index {:<4}  {:<22}  {}", f.word, index, value_text(f), where);
    if (f.database_index)
        line += fmt::format("; the device database has {} at OTP index 0x{:02X}", f.word,
                            *f.database_index);
    if (!f.index)
        line += "; no OTP index known: refused when written";
    return line;
}

std::vector<std::string> plan_lines(const PlanView& v) {
    std::vector<std::string> out;
    out.emplace_back("Write plan (what `rtprov write` runs, in order)");
    for (const PlannedStep& s : v.steps)
        out.push_back(fmt::format("  {:>2}. {}", s.number, s.text));
    if (v.steps.empty())
        out.emplace_back("  no steps");
    out.emplace_back("");
    out.emplace_back("Memory ranges the plan erases, writes or verifies");
    for (const PlannedRange& r : v.ranges) {
        out.push_back(fmt::format("  {}  step {} {}{}", describe_range(r), r.step,
                                  step_op_name(r.op), r.what.empty() ? "" : " " + r.what));
    }
    if (v.ranges.empty())
        out.emplace_back("  none");
    out.emplace_back("");
    out.emplace_back("Fuse words the run may touch (irreversible)");
    for (const PlannedFuse& f : v.fuses)
        out.push_back("  " + describe_fuse(f));
    if (v.fuses.empty())
        out.emplace_back("  none: the part's fuses stay as they are");
    if (!v.notes.empty()) {
        out.emplace_back("");
        out.emplace_back("Notes");
        for (const std::string& n : v.notes)
            out.push_back("  " + n);
    }
    return out;
}

nlohmann::json plan_json(const PlanView& v) {
    using Json = nlohmann::json;
    Json steps = Json::array();
    for (const PlannedStep& s : v.steps)
        steps.push_back({{"step", s.number}, {"op", step_op_name(s.op)}, {"text", s.text}});
    Json ranges = Json::array();
    for (const PlannedRange& r : v.ranges) {
        ranges.push_back({{"step", r.step},
                          {"op", step_op_name(r.op)},
                          {"memory_id", r.memory_id},
                          {"memory", memory_name(r.memory_id)},
                          {"start", hex(r.start)},
                          {"end", r.length == 0 ? Json() : Json(hex(r.start + r.length - 1))},
                          {"length", r.length},
                          {"file", r.what.empty() ? Json() : Json(r.what)},
                          {"text", describe_range(r)}});
    }
    Json fuses = Json::array();
    for (const PlannedFuse& f : v.fuses) {
        static constexpr std::string_view kKinds[] = {"word", "bits", "per-board", "secret"};
        fuses.push_back({{"step", f.step == 0 ? Json() : Json(f.step)},
                         {"op", f.step == 0 ? "close" : step_op_name(f.op)},
                         {"word", f.word},
                         {"index", f.index ? Json(*f.index) : Json()},
                         {"database_index", f.database_index ? Json(*f.database_index) : Json()},
                         {"kind", kKinds[static_cast<std::size_t>(f.kind)]},
                         {"value", f.kind == PlannedValue::PerBoard ||
                                           f.kind == PlannedValue::Secret ||
                                           (f.kind == PlannedValue::Word && !f.index)
                                       ? Json()
                                       : Json(hex(f.value))},
                         {"assigned_at_write_time", f.kind == PlannedValue::PerBoard},
                         {"purpose", f.purpose},
                         {"needs", f.needs},
                         {"text", describe_fuse(f)}});
    }
    return {{"steps", steps}, {"memory_ranges", ranges}, {"fuse_words", fuses}, {"notes", v.notes}};
}

}  // namespace rtprov::pkg
