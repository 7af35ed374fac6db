#include "rtprov/pkg/zip_archive.hpp"

#include <sys/resource.h>
#include <zip.h>

#include <functional>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/util/bytes.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::pkg {
namespace {

// A zip made by libzip directly, so the test can make what write_zip never does.
Bytes craft(const std::function<void(zip_t*)>& fill) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &err);
    zip_t* z = zip_open_from_source(buffer, ZIP_TRUNCATE, &err);
    zip_source_keep(buffer);
    fill(z);
    EXPECT_EQ(zip_close(z), 0) << zip_strerror(z);
    zip_stat_t st;
    zip_source_stat(buffer, &st);
    zip_source_open(buffer);
    Bytes out(st.size);
    zip_source_read(buffer, out.data(), out.size());
    zip_source_close(buffer);
    zip_source_free(buffer);
    return out;
}

zip_uint64_t add(zip_t* z, const char* name, const std::string& text) {
    zip_source_t* s = zip_source_buffer(z, text.data(), text.size(), 0);
    const zip_int64_t i = zip_file_add(z, name, s, 0);
    EXPECT_GE(i, 0) << name << ": " << zip_strerror(z);
    return static_cast<zip_uint64_t>(i);
}

std::string error_of(const Bytes& zip, const ZipLimits& limits = {}) {
    try {
        read_zip(zip, limits);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

const std::string kHello = "hello";

TEST(ZipArchive, WritesDeterministicallyAndReadsBack) {
    const std::vector<ZipEntry> entries = {{"manifest.json", {'{', '}'}},
                                           {"b/c.bin", Bytes(1000, 0xFF)}};
    const Bytes a = write_zip(entries, dos_time(std::nullopt));
    EXPECT_EQ(write_zip(entries, dos_time(std::nullopt)), a);
    const std::vector<ZipEntry> back = read_zip(a, {});
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].name, "manifest.json");
    EXPECT_EQ(back[1].data, entries[1].data);
    // Local header: stored (method 0), DOS time 0, date 1980-01-01, no extra field.
    EXPECT_EQ(load_le16(&a[8]), 0);
    EXPECT_EQ(load_le16(&a[10]), 0);
    EXPECT_EQ(load_le16(&a[12]), 0x21);
    EXPECT_EQ(load_le16(&a[28]), 0);
    EXPECT_NE(write_zip(entries, dos_time(1700000000)), a);
}

TEST(ZipArchive, DosTimeFollowsSourceDateEpochInUtc) {
    const DosTime t = dos_time(1700000000);  // 2023-11-14 22:13:20 UTC
    EXPECT_EQ(t.time, (22 << 11) | (13 << 5) | 10);
    EXPECT_EQ(t.date, (43 << 9) | (11 << 5) | 14);
    EXPECT_EQ(dos_time(0).date, 0x21);  // clamped to the DOS epoch
    EXPECT_EQ(parse_source_date_epoch("1700000000"), 1700000000);
    try {
        parse_source_date_epoch("yesterday");
        FAIL();
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "SOURCE_DATE_EPOCH 'yesterday': expected seconds since 1970");
    }
}

TEST(ZipArchive, RefusesPathsLeavingThePackage) {
    EXPECT_EQ(error_of(craft([](zip_t* z) { add(z, "images/../../evil.sh", kHello); })),
              "entry 0 'images/../../evil.sh': path leaves the package ('..')");
    EXPECT_EQ(error_of(craft([](zip_t* z) {
                  add(z, "ok.txt", kHello);
                  add(z, "/etc/passwd", kHello);
              })),
              "entry 1 '/etc/passwd': absolute path");
    EXPECT_EQ(error_of(craft([](zip_t* z) { add(z, "C:/x.bin", kHello); })),
              "entry 0 'C:/x.bin': absolute path");
    EXPECT_EQ(error_of(craft([](zip_t* z) { add(z, "a\\..\\x", kHello); })),
              "entry 0 'a\\..\\x': backslash in path");
    EXPECT_EQ(error_of(craft([](zip_t* z) { zip_dir_add(z, "images", 0); })),
              "entry 0 'images/': a directory entry");
}

TEST(ZipArchive, RefusesSymbolicLinks) {
    const Bytes zip = craft([](zip_t* z) {
        const auto i = add(z, "link", "/etc/passwd");
        zip_file_set_external_attributes(z, i, 0, ZIP_OPSYS_UNIX, 0120777u << 16);
    });
    EXPECT_EQ(error_of(zip), "entry 0 'link': a symbolic link");
}

TEST(ZipArchive, RefusesDuplicateNames) {
    // libzip will not write two equal names: write dupA and dupB, then rename dupB in the bytes.
    Bytes zip = craft([](zip_t* z) {
        add(z, "dupA", kHello);
        add(z, "dupB", "other");
    });
    for (std::size_t i = 0; i + 4 <= zip.size(); ++i)
        if (std::equal(zip.begin() + i, zip.begin() + i + 4, std::string_view("dupB").begin()))
            zip[i + 3] = 'A';
    EXPECT_EQ(error_of(zip), "entry 1 'dupA': duplicate name (also entry 0)");
}

TEST(ZipArchive, RefusesEncryptedEntries) {
    const Bytes zip = craft([](zip_t* z) {
        const auto i = add(z, "secret.bin", kHello);
        ASSERT_EQ(zip_file_set_encryption(z, i, ZIP_EM_AES_256, "pw"), 0) << zip_strerror(z);
    });
    EXPECT_EQ(error_of(zip), "entry 0 'secret.bin': encrypted entries are not supported");
}

TEST(ZipArchive, RefusesZipBombsBeforeDecompressing) {
    const std::string zeros(4 << 20, '\0');
    const Bytes bomb = craft([&](zip_t* z) {
        const auto i = add(z, "zeros.bin", zeros);
        zip_set_file_compression(z, i, ZIP_CM_DEFLATE, 9);
    });
    const std::string err = error_of(bomb);
    EXPECT_EQ(err.substr(0, 34), "entry 0 'zeros.bin': 4194304 bytes") << err;
    EXPECT_NE(err.find("(ratio above the limit 100:1)"), std::string::npos) << err;

    ZipLimits small;
    small.max_total_size = 8;
    EXPECT_EQ(error_of(craft([](zip_t* z) {
                           add(z, "a", kHello);
                           add(z, "b", kHello);
                       }),
                       small),
              "more than 8 bytes uncompressed (limit reached at entry 1 'b')");
    small = {};
    small.max_entries = 1;
    EXPECT_EQ(error_of(craft([](zip_t* z) {
                           add(z, "a", kHello);
                           add(z, "b", kHello);
                       }),
                       small),
              "2 entries, above the limit 1");
}

TEST(ZipArchive, RefusesCorruptDataAndNonZips) {
    Bytes zip = write_zip({{"a.txt", Bytes(kHello.begin(), kHello.end())}}, {});
    zip[30 + 5] ^= 1;  // first byte of the data after the 30-byte local header and "a.txt"
    EXPECT_EQ(error_of(zip).substr(0, 30), "entry 0 'a.txt': corrupt data ");
    EXPECT_EQ(error_of(Bytes{'P', 'K'}).substr(0, 17), "not a zip archive");
}

// Sets the compressed and uncompressed sizes of the zip's first entry in its local header and
// its central directory entry, as a hand edit of the archive would.
void declare_sizes(Bytes& zip, std::uint32_t compressed, std::uint32_t size) {
    store_le32(zip.data() + 18, compressed);
    store_le32(zip.data() + 22, size);
    for (std::size_t i = 0; i + 4 <= zip.size(); ++i) {
        if (load_le32(zip.data() + i) == 0x02014b50) {  // "PK\1\2"
            store_le32(zip.data() + i + 20, compressed);
            store_le32(zip.data() + i + 24, size);
            return;
        }
    }
    ADD_FAILURE() << "no central directory entry";
}

// A 52 KB zip declaring a 1 GiB entry made read_zip allocate the 1 GiB before reading a byte.
TEST(ZipArchive, DeclaredSizesBeyondTheArchiveAreRefusedBeforeAnyAllocation) {
    Bytes zip = write_zip({{"a.bin", Bytes(52 * 1024, 0x5A)}}, {});
    const std::size_t archive = zip.size();
    declare_sizes(zip, 0x3FF00000, 0x3FF00000);  // stored, within every other limit
    rusage before{};
    ::getrusage(RUSAGE_SELF, &before);
    const std::string refused = error_of(zip);
    rusage after{};
    ::getrusage(RUSAGE_SELF, &after);
    EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 64 * 1024) << "KiB more at the peak";
    EXPECT_EQ(refused,
              fmt::format("entry 0 'a.bin': declares 1072693248 compressed bytes (1072693248 up "
                          "to it) in an archive of {} bytes",
                          archive));
    Bytes stored = write_zip({{"a.bin", Bytes(52 * 1024, 0x5A)}}, {});
    declare_sizes(stored, 52 * 1024, 0x3FF00000);
    EXPECT_EQ(error_of(stored),
              "entry 0 'a.bin': stored, but declares 1072693248 bytes in 53248 stored bytes");
}

// An entry shorter than it declares is read as far as it goes, never sized by the claim.
TEST(ZipArchive, AnEntryIsReadStreamedUpToItsDeclaredSize) {
    Bytes zip = write_zip({{"a.bin", Bytes(1000, 0x5A)}, {"b.bin", Bytes(10, 1)}}, {});
    declare_sizes(zip, 1040, 1040);  // 40 bytes more: into the next local header
    EXPECT_EQ(error_of(zip).substr(0, 24), "entry 0 'a.bin': corrupt");
}

}  // namespace
}  // namespace rtprov::pkg
