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
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/util/error.hpp"
#include "validate_internal.hpp"

namespace rtprov::pkg {

namespace {

using namespace detail;

constexpr std::array<std::string_view, 8> kSrkWords = {"SRK0", "SRK1", "SRK2", "SRK3",
                                                       "SRK4", "SRK5", "SRK6", "SRK7"};

constexpr std::array<std::string_view, 2> kBootCfgWords = {"BOOT_CFG0", "BOOT_CFG1"};
constexpr std::array<std::string_view, 4> kSwGp2Words = {"SW_GP2_0", "SW_GP2_1", "SW_GP2_2",
                                                         "SW_GP2_3"};
// RT1010: OTFAD_CFG (enable, scrambling) and the scramble mask, both locked by MAC_ADDR_LOCK.
constexpr std::array<std::string_view, 2> kOtfadWords = {"OTFAD_CFG", "OTFAD_KEY_SCRAMBLE"};

// BEE and OTFAD (issue 17): OTPMK mode burns only configuration fields; user-key mode the key
// words (as secrets) too, and both SW_GP2 locks. A word belongs to the first row naming it.
constexpr FeatureFuses kFeatureFuses[] = {
    {"fuse-srk", kSrkWords, "SRK_LOCK", ""},
    {"bee-otpmk", kBootCfgWords, "", ""},
    {"bee-user-key", kSwGp2Words, "SW_GP2_LOCK", "SW_GP2_RLOCK"},
    {"bee-user-key", kBootCfgWords, "", ""},
    {"otfad-otpmk", kBootCfgWords, "", ""},
    {"otfad-otpmk", kOtfadWords, "MAC_ADDR_LOCK", ""},
    {"otfad-user-key", kSwGp2Words, "SW_GP2_LOCK", "SW_GP2_RLOCK"},
    {"otfad-user-key", kBootCfgWords, "", ""},
    {"otfad-user-key", kOtfadWords, "MAC_ADDR_LOCK", ""},
};

// BEE_KEYn_SEL: 2 = OTPMK[255:128], 3 = SW_GP2 (secure-factory.md §3). OTFAD_KEY_SEL1: 1 =
// SW_GP2, 0 = OTPMK with OTFAD_KEY_SEL0 picking its half (§4).
constexpr FeatureField kFeatureFields[] = {
    {"bee-otpmk", "ENCRYPTED_XIP", 1, true},
    {"bee-otpmk", "BEE_KEY0_SEL", 2, true},
    {"bee-otpmk", "BEE_KEY1_SEL", 2, false},
    {"bee-otpmk", "BT_FUSE_SEL", 1, true},
    {"bee-user-key", "ENCRYPTED_XIP", 1, true},
    {"bee-user-key", "BEE_KEY0_SEL", 3, true},
    {"bee-user-key", "BEE_KEY1_SEL", 3, false},
    {"bee-user-key", "BT_FUSE_SEL", 1, true},
    {"otfad-otpmk", "ENCRYPTED_XIP", 1, true},
    {"otfad-otpmk", "BT_FUSE_SEL", 1, true},
    {"otfad-otpmk", "OTFAD_ENABLE", 1, true},
    {"otfad-otpmk", "OTFAD_KEY_SEL1", 0, true},
    {"otfad-otpmk", "OTFAD_KEY_SEL0", kAnyFieldValue, true},
    {"otfad-user-key", "ENCRYPTED_XIP", 1, true},
    {"otfad-user-key", "BT_FUSE_SEL", 1, true},
    {"otfad-user-key", "OTFAD_ENABLE", 1, true},
    {"otfad-user-key", "OTFAD_KEY_SEL1", 1, true},
    {"otfad-user-key", "ENB_OTFAD_KEY_SCRAMBLE", 1, false},
    {"otfad-user-key", "OTFAD_KEY_SCRAMBLE_ALIGN", kAnyFieldValue, false},
};

// Key words: burned only with a value from the package's secrets.
bool key_word(std::string_view word) {
    return word.starts_with("SW_GP2");
}

std::uint32_t mask_of(const device::FuseField& f) {
    return ((f.width >= 32 ? 0u : (1u << f.width)) - 1u) << f.shift;
}

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
        if (!requires_feature(m, f.feature))
            continue;
        if (f.words.front().starts_with("SRK"))
            out.push_back(fmt::format("{}: {}..{}", f.feature, f.words.front(), f.words.back()));
        else
            out.push_back(fmt::format("{}: {}", f.feature, fmt::join(f.words, ", ")));
    }
    return out.empty() ? "none" : fmt::format("{}", fmt::join(out, "; "));
}

// A word of the device's fields (BOOT_CFG1) is burned only as the fields its required features
// give it, each whole and with the feature's value; other words only whole.
void check_fields(const Checked& c, std::size_t i) {
    const FuseWordPlan& f = c.manifest.fuses[i];
    const std::string at = fmt::format("fuses[{}]", i);
    std::uint32_t allowed = 0;
    std::vector<std::string> names;
    for (const FeatureField& ff : kFeatureFields) {
        const device::FuseField* field = c.device.fuse_field(ff.field);
        if (field == nullptr || field->word != f.word || !requires_feature(c.manifest, ff.feature))
            continue;
        const std::uint32_t mask = mask_of(*field);
        allowed |= mask;
        names.push_back(std::string(ff.field));
        if ((f.mask & mask) == 0)
            continue;
        if ((f.mask & mask) != mask) {
            refuse(at + ".mask",
                   fmt::format("0x{:08x} owns part of {} (0x{:08x}): a field is burned whole",
                               f.mask, ff.field, mask));
        }
        const std::uint32_t want = (ff.value << field->shift) & mask;
        if (ff.value != kAnyFieldValue && (f.value & mask) != want) {
            refuse(at + ".value",
                   fmt::format("{} = {} in {}, but feature {} burns it as {}",
                               ff.field, (f.value & mask) >> field->shift, f.word, ff.feature,
                               ff.value));
        }
    }
    if (allowed == 0) {
        if (f.mask != kWholeWord) {
            refuse(at + ".mask",
                   fmt::format("0x{:08x}: {} is burned whole; a partial mask is only for the "
                               "fields of a word that a required feature burns",
                               f.mask, f.word));
        }
        return;
    }
    if ((f.mask & ~allowed) != 0) {
        refuse(at + ".mask",
               fmt::format("0x{:08x} owns bits 0x{:08x} of {} outside the fields the package's "
                           "features burn there ({})",
                           f.mask, f.mask & ~allowed, f.word, fmt::join(names, ", ")));
    }
}

// Key words hold a key: only as the package's secret of that word, never as a plain value.
void check_secret(const Checked& c, std::size_t i) {
    const FuseWordPlan& f = c.manifest.fuses[i];
    const std::string at = fmt::format("fuses[{}]", i);
    if (key_word(f.word)) {
        if (f.secret.empty()) {
            refuse(at + ".value",
                   fmt::format("{} holds the BEE/OTFAD user key: a package names it as a secret "
                               "(\"secret\": \"fuse:{}\"), never as a value in the clear",
                               f.word, f.word));
        }
        if (f.secret != "fuse:" + f.word)
            refuse(at + ".secret", fmt::format("'{}' for {}; expected 'fuse:{}'", f.secret,
                                               f.word, f.word));
        if (f.mask != kWholeWord)
            refuse(at + ".mask", fmt::format("a key word is burned whole, not 0x{:08x}", f.mask));
    } else if (!f.secret.empty()) {
        refuse(at + ".secret",
               fmt::format("{} takes its value from '{}', but only key words (SW_GP2_*) are "
                           "secret",
                           f.word, f.secret));
    }
}

// A BEE feature's plan burns every field its boot needs and, with a user key, all four words.
void check_complete(const Checked& c) {
    const Manifest& m = c.manifest;
    for (const FeatureField& ff : kFeatureFields) {
        if (!ff.needed || !requires_feature(m, ff.feature))
            continue;
        const device::FuseField* field = c.device.fuse_field(ff.field);
        if (field == nullptr) {
            refuse("requires", fmt::format("{}: {} has no {} (the feature is for another part)",
                                           ff.feature, c.device.name, ff.field));
        }
        const auto it = std::find_if(m.fuses.begin(), m.fuses.end(), [&](const auto& f) {
            return f.word == field->word && (f.mask & mask_of(*field)) != 0;
        });
        if (it == m.fuses.end()) {
            refuse("fuses", fmt::format("{} (in {}) is missing: feature {} needs it to boot",
                                        ff.field, field->word, ff.feature));
        }
    }
    // OTPMK: the flashloader's encrypt-on-write option block (tag 0xE), once, and only then.
    for (const auto& [engine, feature] :
         {std::pair{EncryptEngine::Bee, "bee-otpmk"}, std::pair{EncryptEngine::Otfad,
                                                                "otfad-otpmk"}}) {
        std::size_t blocks = 0;
        for (std::size_t i = 0; i < m.write_plan.size(); ++i) {
            const auto enc = encrypt_on_write(m.write_plan[i]);
            if (!enc || enc->engine != engine)
                continue;
            ++blocks;
            if (!requires_feature(m, feature)) {
                refuse(fmt::format("write_plan[{}].option_words", i),
                       fmt::format("0x{:08x} is a {} OTPMK option block (the flashloader "
                                   "encrypts what it writes), but the package does not require "
                                   "{}",
                                   m.write_plan[i].option_words.front(),
                                   engine == EncryptEngine::Bee ? "BEE" : "OTFAD", feature));
            }
        }
        if (requires_feature(m, feature) && blocks != 1) {
            refuse("write_plan", fmt::format("{} {} OTPMK option blocks; {} has the flashloader "
                                             "encrypt with exactly one",
                                             blocks, engine == EncryptEngine::Bee ? "BEE" : "OTFAD",
                                             feature));
        }
    }
    for (std::string_view feature : {"bee-user-key", "otfad-user-key"}) {
        if (!requires_feature(m, feature))
            continue;
        for (std::string_view w : kSwGp2Words) {
            if (std::none_of(m.fuses.begin(), m.fuses.end(),
                             [&](const auto& f) { return f.word == w; }))
                refuse("fuses", fmt::format("{} is missing: {} burns the key as "
                                            "SW_GP2_0..SW_GP2_3",
                                            w, feature));
        }
    }
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
    check_fields(c, i);
    check_secret(c, i);
    if (f.lock == LockPolicy::None)
        return;
    if (feature->lock_field.empty()) {
        refuse(at + ".lock", fmt::format("after-verify, but feature {} locks nothing ({} is "
                                         "locked with the boot configuration)",
                                         feature->feature, f.word));
    }
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
        } else if (s.op == StepOp::LockFuses && lockable.count(s.field)) {
            // A read lock follows its write lock: the words are verified, then hidden.
            for (const auto& f : kFeatureFuses) {
                if (f.lock_field == s.field && !f.read_lock_field.empty())
                    lockable.insert(std::string(f.read_lock_field));
            }
        } else if (s.op == StepOp::LockFuses) {
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

std::span<const FeatureField> feature_fields() {
    return kFeatureFields;
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
    check_complete(c);
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
