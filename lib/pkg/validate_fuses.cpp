// The fuse rules of a package: fuse words, indices and lock fields from the device database only,
// limited to the words of the features the package requires; per-board fuse targets; the SRK
// hash, the SRK table and the SRK words of fuses[] consistent.

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rtprov/hab/srk.hpp"
#include "rtprov/hab/verify.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/util/error.hpp"
#include "validate_internal.hpp"

namespace rtprov::pkg {

namespace {

using namespace detail;

constexpr std::array<std::string_view, 8> kSrkWords = {"SRK0", "SRK1", "SRK2", "SRK3",
                                                       "SRK4", "SRK5", "SRK6", "SRK7"};

// Issue "encrypted products" adds the BEE/OTFAD rows (SW_GP2_0..3 with SW_GP2_LOCK, ...).
constexpr FeatureFuses kFeatureFuses[] = {
    {"fuse-srk", kSrkWords, "SRK_LOCK"},
};

// Words holding keys or boot settings that carry no field in the database: never a per-board
// value (the BEE/OTFAD user key, the OTFAD configuration, boot-time settings).
constexpr std::array<std::string_view, 4> kReservedPrefixes = {"UUID", "SW_GP2", "OTFAD",
                                                               "MISC_CONF"};

const FeatureFuses* feature_for(const Manifest& m, std::string_view word) {
    for (const auto& f : kFeatureFuses) {
        if (requires_feature(m, f.feature) &&
            std::find(f.words.begin(), f.words.end(), word) != f.words.end())
            return &f;
    }
    return nullptr;
}

// "fuse-srk: SRK0..SRK7" for each required feature that burns words, or "none".
std::string allowed_words(const Manifest& m) {
    std::vector<std::string> out;
    for (const auto& f : kFeatureFuses) {
        if (requires_feature(m, f.feature))
            out.push_back(fmt::format("{}: {}..{}", f.feature, f.words.front(), f.words.back()));
    }
    return out.empty() ? "none" : fmt::format("{}", fmt::join(out, "; "));
}

void check_fuse_entry(const Checked& c, std::size_t i) {
    const FuseWordPlan& f = c.manifest.fuses[i];
    const std::string at = fmt::format("fuses[{}]", i);
    const device::FuseWord* w = c.device.fuse(f.word);
    if (w == nullptr)
        refuse(at + ".word", fmt::format("{} has no fuse word '{}'", c.device.name, f.word));
    if (f.index != w->index) {
        refuse(at + ".index",
               fmt::format("{} for {}, but the device database has {} of {} at index {} (0x{:02X})",
                           f.index, f.word, f.word, c.device.name, w->index, w->index));
    }
    const FeatureFuses* feature = feature_for(c.manifest, f.word);
    if (feature == nullptr) {
        refuse(at + ".word",
               fmt::format("{} is not a fuse word of a feature the package requires ({}): a "
                           "package burns only those, and closes a part only through "
                           "`rtprov write --close`",
                           f.word, allowed_words(c.manifest)));
    }
    if (f.lock == LockPolicy::None)
        return;
    if (c.device.fuse_field(feature->lock_field) == nullptr) {
        refuse(at + ".lock", fmt::format("after-verify, but {} has no {}: {} cannot be locked "
                                         "(lock: none)",
                                         c.device.name, feature->lock_field, f.word));
    }
    if (f.lock_field != feature->lock_field) {
        refuse(at + ".lock_field",
               fmt::format("{} for {}, but the device database locks {} with {}", f.lock_field,
                           f.word, f.word, feature->lock_field));
    }
}

// Every lock-fuses step locks the words a program-fuses step before it burns.
void check_fuse_steps(const Checked& c) {
    const Manifest& m = c.manifest;
    std::set<std::string> burned;  // by the program-fuses steps so far
    std::set<std::string> lockable;
    for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
        const WriteStep& s = m.write_plan[i];
        const std::string at = fmt::format("write_plan[{}]", i);
        if (s.op == StepOp::ProgramFuses) {
            for (const std::string& w : s.words) {
                if (!burned.insert(w).second)
                    refuse(at + ".words", fmt::format("{} is burned twice", w));
                for (const auto& f : m.fuses)
                    if (f.word == w && f.lock != LockPolicy::None)
                        lockable.insert(f.lock_field);
            }
        } else if (s.op == StepOp::LockFuses && !lockable.count(s.field)) {
            std::set<std::string> planned;
            for (const auto& f : m.fuses)
                if (f.lock != LockPolicy::None)
                    planned.insert(f.lock_field);
            refuse(at + ".field",
                   fmt::format(
                       "{} is not the lock field of a word a program-fuses step before "
                       "it burns ({}): a plan locks only the words it burns, and closes "
                       "a part only through `rtprov write --close`",
                       s.field,
                       planned.empty() ? "none" : fmt::format("{}", fmt::join(planned, ", "))));
        }
    }
}

void check_board_fuses(const Checked& c) {
    const Manifest& m = c.manifest;
    for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
        const WriteStep& s = m.write_plan[i];
        if (s.op != StepOp::PerBoardData)
            continue;
        for (const std::string& w : s.data.fuses) {
            if (auto why = board_fuse_word_problem(c.device, w))
                refuse(fmt::format("write_plan[{}].fuses", i),
                       fmt::format("{}: {}", s.data.name, *why));
        }
    }
}

const FileEntry* file_with_role(const Manifest& m, FileRole role) {
    for (const auto& f : m.files)
        if (f.role == role)
            return &f;
    return nullptr;
}

}  // namespace

std::span<const FeatureFuses> feature_fuses() {
    return kFeatureFuses;
}

std::optional<std::string> board_fuse_word_problem(const device::Device& dev,
                                                   std::string_view word) {
    if (dev.fuse(word) == nullptr)
        return fmt::format("{} has no fuse word '{}'", dev.name, word);
    const auto field = std::find_if(dev.fuse_fields.begin(), dev.fuse_fields.end(),
                                    [&](const device::FuseField& f) { return f.word == word; });
    const bool reserved = field != dev.fuse_fields.end() || word == "LOCK" ||
                          word.starts_with("BOOT_CFG") ||
                          std::any_of(kReservedPrefixes.begin(), kReservedPrefixes.end(),
                                      [&](std::string_view p) { return word.starts_with(p); });
    if (reserved) {
        return fmt::format(
            "fuse word {} holds the part's identity or security settings{}", word,
            field != dev.fuse_fields.end() ? fmt::format(" ({})", field->name) : std::string());
    }
    for (const auto& f : kFeatureFuses) {
        if (std::find(f.words.begin(), f.words.end(), word) != f.words.end())
            return fmt::format("fuse word {} is burned by feature {}", word, f.feature);
    }
    return std::nullopt;
}

namespace detail {

void check_fuses(const Checked& c) {
    std::set<std::string> words;
    for (std::size_t i = 0; i < c.manifest.fuses.size(); ++i) {
        check_fuse_entry(c, i);
        if (!words.insert(c.manifest.fuses[i].word).second)
            refuse(fmt::format("fuses[{}].word", i),
                   fmt::format("{} is listed twice", c.manifest.fuses[i].word));
    }
    check_fuse_steps(c);
    check_board_fuses(c);
}

void check_srk(const Checked& c) {
    const Manifest& m = c.manifest;
    std::array<const FuseWordPlan*, kSrkWords.size()> planned{};
    std::size_t count = 0;
    for (const auto& f : m.fuses) {
        for (std::size_t n = 0; n < kSrkWords.size(); ++n) {
            if (f.word == kSrkWords[n]) {
                planned[n] = &f;
                ++count;
            }
        }
    }
    if (count == 0 && !requires_feature(m, "fuse-srk"))
        return;
    for (std::size_t n = 0; n < planned.size(); ++n) {
        if (planned[n] == nullptr) {
            refuse("fuses", fmt::format("{} is missing: the SRK hash is burned as SRK0..SRK7",
                                        kSrkWords[n]));
        }
    }
    const FileEntry* hash_file = file_with_role(m, FileRole::SrkHash);
    if (hash_file == nullptr)
        refuse("files", "no srk-hash file (fuses/srk_hash.bin) for the SRK words of fuses[]");
    const Bytes& hash_bytes = file_data(c, hash_file->path);
    hab::SrkHash hash{};
    if (hash_bytes.size() != hash.size()) {
        refuse(hash_file->path,
               fmt::format("{} bytes, an SRK hash has {}", hash_bytes.size(), hash.size()));
    }
    std::copy(hash_bytes.begin(), hash_bytes.end(), hash.begin());
    const hab::SrkFuseWords words = hab::srk_fuse_words(hash);
    for (std::size_t n = 0; n < words.size(); ++n) {
        if (planned[n]->value != words[n]) {
            refuse(fmt::format("fuses[{}].value", planned[n] - m.fuses.data()),
                   fmt::format("0x{:08x} for {}, but {} gives 0x{:08x}", planned[n]->value,
                               kSrkWords[n], hash_file->path, words[n]));
        }
    }
    for (const auto& f : m.files) {
        if (f.role != FileRole::SrkTable)
            continue;
        const hab::SrkHash table = with_context(
            "manifest.json: " + f.path, [&] { return hab::srk_fuse_hash(file_data(c, f.path)); });
        if (table != hash) {
            refuse(f.path, fmt::format("the SRK table hashes to {}, but {} holds {}",
                                       hab::hash_hex(table), hash_file->path, hab::hash_hex(hash)));
        }
    }
    // The SRK table inside each signed image's CSF is the one the ROM checks against the fuses.
    for (const CheckedImage& img : c.images) {
        if (!img.entry->is_signed)
            continue;
        hab::VerifyOptions vo;
        vo.fuse_hash = hash;
        const hab::VerifyReport report = hab::verify_image(*img.data, img.entry->file, vo);
        for (const auto& check : report.checks) {
            if (check.name == "SRK table hash" && check.status != hab::CheckStatus::Passed) {
                refuse(fmt::format("images[{}]", img.index),
                       fmt::format("{}: the SRK table in its CSF does not match {}: {}",
                                   img.entry->file, hash_file->path, check.detail));
            }
        }
    }
}

}  // namespace detail

}  // namespace rtprov::pkg
