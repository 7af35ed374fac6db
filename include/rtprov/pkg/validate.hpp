#pragma once
// What a package means, checked against rtprov's own device database before anything in it is
// used (issue 24): verify_package runs validate_manifest once the files are verified and a 1.0
// manifest is migrated, so import-pkg, write, pkg diff and pkg migrate all refuse a package whose
// plan could do more than its kind may. docs/package-format.md ("Rules a package must satisfy")
// lists every rule.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rtprov/device/device.hpp"
#include "rtprov/pkg/manifest.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

// The fuse words a required feature may burn through the package's fuse plan, and the lock
// field that locks them. The only source of fuse words a plan may name: a word of no feature the
// package requires is refused. Closing the part (SEC_CONFIG[1]) is never a feature's word: only
// `rtprov write --close` does it.
//
// Extension point: the BEE/OTFAD features ("encrypted products") add their rows here. Words
// holding fields of the device database (BOOT_CFG0/1) are burned only as those fields (a partial
// "mask"), each with the one value its feature gives it (FeatureField); key words (SW_GP2_*) only
// as secrets of the package, never as plain values.
struct FeatureFuses {
    std::string_view feature;                 // "fuse-srk"
    std::span<const std::string_view> words;  // "SRK0".."SRK7"
    std::string_view lock_field;              // "SRK_LOCK"; the device may lack it (RT1010)
    // The read lock a plan burns after lock_field (SW_GP2_RLOCK: the key then reads back as 0),
    // or empty.
    std::string_view read_lock_field;
};

// A fuse field a feature burns inside a shared word, and the value it must get there.
// FeatureField::value of a field the feature burns with either value (OTFAD_KEY_SEL0: which
// half of the OTPMK).
inline constexpr std::uint32_t kAnyFieldValue = 0xFFFFFFFF;

struct FeatureField {
    std::string_view feature;  // "bee-otpmk"
    std::string_view field;    // "BEE_KEY0_SEL"
    std::uint32_t value = 0;   // 2 (OTPMK), before shifting into the field
    bool needed = false;       // the feature's plan must burn it (BEE_KEY1_SEL: optional)
};

// Every field a feature burns inside a shared word (BOOT_CFG0/1 for the BEE features).
std::span<const FeatureField> feature_fields();

// Every feature that burns fuse words, in manifest order.
std::span<const FeatureFuses> feature_fuses();

// Why fuse word `word` may not receive a per-board value on `device`, or nullopt: an unknown
// word, the part's identity (UUID*), its locks (LOCK), its security and boot configuration (a
// word holding a field of the device database: BOOT_CFG*, TESTER_CFG with SEC_CONFIG, USB_ID,
// SRK_REVOKE, OTFAD_CFG, ...), MISC_CONF*, and every word a feature burns (SRK*, the BEE/OTFAD
// key words SW_GP2_*). The one rule export-pkg and every package read apply.
std::optional<std::string> board_fuse_word_problem(const device::Device& device,
                                                   std::string_view word);

// Checks `manifest` (its files verified: `files` holds every one of them by path) against the
// device database and itself: fuse words, indices, values and lock fields; the memory ranges of
// every write-plan step; that the plan writes exactly the images and verifies every write; the
// per-board targets; the SRK hash, the SRK table and the SRK fuse words. Throws Error(BadInput)
// "manifest.json: WHERE: ..." naming the step or entry, and both values where the manifest and
// the device database disagree.
void validate_manifest(const Manifest& manifest, const std::map<std::string, Bytes>& files);

}  // namespace rtprov::pkg
