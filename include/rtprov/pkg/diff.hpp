#pragma once
// What changed between two verified manufacturing packages (`rtprov pkg diff`): the fuse plan,
// the images and flashloaders, the write plan, the required features, the files and the
// manifest's header, as a flat list of changes in a fixed order.

#include <string>
#include <string_view>
#include <vector>

#include "rtprov/pkg/package.hpp"

namespace rtprov::pkg {

// What a change is about; also the order diff_packages lists changes in (the fuse plan first:
// a changed SRK hash means new signing keys, and parts fused for one package do not boot the
// other's signed images).
enum class DiffArea { Fuses, Images, Flashloaders, WritePlan, Features, Files, Manifest };
// "fuses", "images", "flashloaders", "write-plan", "features", "files", "manifest".
std::string_view diff_area_name(DiffArea area);

enum class DiffKind { Added, Removed, Changed };
// "added", "removed", "changed".
std::string_view diff_kind_name(DiffKind kind);

// One field of an item, as the manifest writes it ("0x60000000", "after-verify", "24", "true").
// Every field of the manifest is compared: fuses[] (index, value, lock, lock_field; word when a
// word is renamed in place), images[], flashloaders[], files[], every WriteStep field ("length",
// "option_words", "fcb_offset", "data.address", ...), required features and the header.
struct FieldChange {
    std::string field;   // "index", "value", "sha256", "address", "data.size", ...
    std::string before;  // empty for an added item
    std::string after;   // empty for a removed item
    friend bool operator==(const FieldChange&, const FieldChange&) = default;
};

struct Change {
    DiffArea area = DiffArea::Manifest;
    DiffKind kind = DiffKind::Changed;
    // The item: fuse word ("SRK0"), image boot device, flashloader or file path, write step
    // ("step 4: write", numbered in the new package; in the old one when removed), feature name,
    // or manifest field ("schema_version", "device", "writer", "signer": the key fingerprint of
    // manifest.sig, "none" when unsigned).
    std::string subject;
    // Changed: the fields that differ (a renamed item: its key field first, "word",
    // "boot_device" or "file"). Added/removed: the item's fields on its side.
    std::vector<FieldChange> fields;
    // A changed project text file: a short unified-style line diff ("@@ -3,2 +3,2 @@", "-old",
    // "+new", " context"), at most kMaxTextDiffLines lines, the last one saying what was cut.
    std::vector<std::string> text_diff;
    friend bool operator==(const Change&, const Change&) = default;
};

inline constexpr std::size_t kMaxTextDiffLines = 40;

struct PackageDiff {
    // Grouped by area in DiffArea order. Within an area: fuse words by OTP index, images by boot
    // device, flashloaders, files and features by name, write steps in plan order. An item
    // listed twice (the same fuse word, boot device or file) is two items.
    std::vector<Change> changes;

    bool empty() const { return changes.empty(); }
    // True when an SRK fuse word both packages burn has a new value: new signing keys, and parts
    // fused for one package do not boot the other's signed images.
    bool srk_changed() const;
};

// The changes from package `a` (old) to `b` (new). Schema is compared as written (a migrated
// 1.0 package is "1.0"); file contents by size and SHA-256. Identical manifests give empty().
PackageDiff diff_packages(const Package& a, const Package& b);

// A unified-style diff of two texts, split at '\n', with `context` unchanged lines around each
// change: "@@ -l,n +l,n @@" hunk headers then " ", "-", "+" lines. At most `max_lines` lines;
// when cut, the last line is "... N more lines". Empty when the texts are equal.
std::vector<std::string> text_line_diff(std::string_view before, std::string_view after,
                                        std::size_t context = 2,
                                        std::size_t max_lines = kMaxTextDiffLines);

}  // namespace rtprov::pkg
