#include "rtprov/pkg/zip_archive.hpp"

#include <zip.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::pkg {

namespace {

constexpr std::uint32_t kModeMask = 0170000;
constexpr std::uint32_t kModeRegular = 0100000;
constexpr std::uint32_t kModeSymlink = 0120000;
constexpr std::uint32_t kModeDirectory = 0040000;
constexpr std::uint32_t kFileMode = kModeRegular | 0644;

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipHandle = std::unique_ptr<zip_t, ZipCloser>;

std::string zip_error_text(zip_t* z) {
    return zip_strerror(z);
}

[[noreturn]] void internal(const std::string& what) {
    throw Error(ErrorCode::Internal, "writing zip: " + what);
}

// Reads a whole libzip source (the finished in-memory archive).
Bytes read_source(zip_source_t* src) {
    zip_stat_t st;
    if (zip_source_stat(src, &st) != 0 || zip_source_open(src) != 0)
        internal("cannot reopen the archive buffer");
    Bytes out(st.size);
    const zip_int64_t n = zip_source_read(src, out.data(), out.size());
    zip_source_close(src);
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size)
        internal("short read of the archive buffer");
    return out;
}

[[noreturn]] void bad_entry(std::uint64_t index, std::string_view name, const std::string& why) {
    throw Error(ErrorCode::BadInput, fmt::format("entry {} '{}': {}", index, name, why));
}

// Deflate gives at most about 1032 bytes per compressed byte: a declared size beyond that is a lie.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

// Entry `index` streamed in chunks: memory grows with the bytes that really come, up to the
// declared `size` and never past it (a lying header cannot make it allocate what it declares).
Bytes read_entry(zip_t* z, std::uint64_t index, std::string_view name, std::uint64_t size) {
    zip_file_t* f = zip_fopen_index(z, index, 0);
    if (f == nullptr)
        bad_entry(index, name, zip_error_text(z));
    const auto close = std::unique_ptr<zip_file_t, decltype(&zip_fclose)>(f, zip_fclose);
    constexpr std::uint64_t kChunk = 256 * 1024;
    Bytes data;
    while (data.size() < size) {
        const std::size_t at = data.size();
        data.resize(at + static_cast<std::size_t>(std::min(kChunk, size - at)));
        const zip_int64_t n = zip_fread(f, data.data() + at, data.size() - at);
        if (n <= 0) {
            bad_entry(index, name,
                      fmt::format("corrupt data ({} of the {} bytes declared: {})", at, size,
                                  n < 0 ? zip_file_strerror(f) : "premature end of the entry"));
        }
        data.resize(at + static_cast<std::size_t>(n));
    }
    // One more read reaches the end of the entry, where libzip checks the CRC.
    std::uint8_t extra = 0;
    if (zip_fread(f, &extra, 1) != 0)
        bad_entry(index, name, fmt::format("corrupt data ({})", zip_file_strerror(f)));
    return data;
}

}  // namespace

DosTime dos_time(std::optional<std::int64_t> epoch_seconds) {
    if (!epoch_seconds)
        return {};
    constexpr std::int64_t k1980 = 315532800;   // 1980-01-01T00:00:00Z
    constexpr std::int64_t k2107 = 4354819199;  // 2107-12-31T23:59:59Z
    const std::time_t t = static_cast<std::time_t>(std::clamp(*epoch_seconds, k1980, k2107));
    std::tm tm{};
    gmtime_r(&t, &tm);
    DosTime d;
    d.time = static_cast<std::uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    d.date =
        static_cast<std::uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
    return d;
}

std::int64_t parse_source_date_epoch(std::string_view text) {
    std::int64_t v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 0) {
        throw Error(ErrorCode::Usage,
                    fmt::format("SOURCE_DATE_EPOCH '{}': expected seconds since 1970", text));
    }
    return v;
}

Bytes write_zip(const std::vector<ZipEntry>& entries, DosTime time) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &err);
    if (buffer == nullptr)
        internal(zip_error_strerror(&err));
    ZipHandle z(zip_open_from_source(buffer, ZIP_TRUNCATE, &err));
    if (!z) {
        zip_source_free(buffer);
        internal(zip_error_strerror(&err));
    }
    zip_source_keep(buffer);  // the finished archive is read back from it after zip_close
    const auto release =
        std::unique_ptr<zip_source_t, decltype(&zip_source_free)>(buffer, zip_source_free);
    for (const auto& e : entries) {
        zip_source_t* src = zip_source_buffer(z.get(), e.data.data(), e.data.size(), 0);
        if (src == nullptr)
            internal(zip_error_text(z.get()));
        const zip_int64_t index = zip_file_add(z.get(), e.name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(src);
            internal(fmt::format("{}: {}", e.name, zip_error_text(z.get())));
        }
        const auto i = static_cast<zip_uint64_t>(index);
        if (zip_set_file_compression(z.get(), i, ZIP_CM_STORE, 0) != 0 ||
            zip_file_set_dostime(z.get(), i, time.time, time.date, 0) != 0 ||
            zip_file_set_external_attributes(z.get(), i, 0, ZIP_OPSYS_UNIX, kFileMode << 16) != 0) {
            internal(fmt::format("{}: {}", e.name, zip_error_text(z.get())));
        }
    }
    if (zip_close(z.get()) != 0)
        internal(zip_error_text(z.get()));
    z.release();  // zip_close freed it
    return read_source(buffer);
}

std::optional<std::string> unsafe_path_reason(std::string_view name) {
    if (name.empty())
        return "empty name";
    if (name.front() == '/' || (name.size() >= 2 && name[1] == ':'))
        return "absolute path";
    if (name.find('\\') != std::string_view::npos)
        return "backslash in path";
    for (const char c : name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return "control character in path";
    if (name.back() == '/')
        return "a directory entry";
    std::size_t start = 0;
    while (start <= name.size()) {
        const auto end = std::min(name.find('/', start), name.size());
        const std::string_view part = name.substr(start, end - start);
        if (part == "..")
            return "path leaves the package ('..')";
        if (part.empty() || part == ".")
            return "path has an empty or '.' component";
        start = end + 1;
    }
    return std::nullopt;
}

std::vector<ZipEntry> read_zip(ByteView data, const ZipLimits& limits) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
    if (src == nullptr)
        throw Error(ErrorCode::Internal, zip_error_strerror(&err));
    ZipHandle z(zip_open_from_source(src, ZIP_RDONLY, &err));
    if (!z) {
        zip_source_free(src);
        throw Error(ErrorCode::BadInput,
                    fmt::format("not a zip archive ({})", zip_error_strerror(&err)));
    }
    const zip_int64_t count = zip_get_num_entries(z.get(), 0);
    if (count < 0 || static_cast<std::uint64_t>(count) > limits.max_entries) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{} entries, above the limit {}", count, limits.max_entries));
    }
    std::vector<zip_stat_t> stats(static_cast<std::size_t>(count));
    std::map<std::string, std::uint64_t, std::less<>> seen;
    std::uint64_t total = 0;
    std::uint64_t compressed = 0;
    for (std::uint64_t i = 0; i < stats.size(); ++i) {
        zip_stat_t& st = stats[i];
        if (zip_stat_index(z.get(), i, ZIP_FL_ENC_RAW, &st) != 0)
            throw Error(ErrorCode::BadInput,
                        fmt::format("entry {}: {}", i, zip_error_text(z.get())));
        const std::string_view name = st.name;
        if (const auto why = unsafe_path_reason(name))
            bad_entry(i, name, *why);
        const auto [it, inserted] = seen.emplace(name, i);
        if (!inserted)
            bad_entry(i, name, fmt::format("duplicate name (also entry {})", it->second));
        zip_uint8_t opsys = 0;
        zip_uint32_t attributes = 0;
        zip_file_get_external_attributes(z.get(), i, 0, &opsys, &attributes);
        const std::uint32_t mode = (attributes >> 16) & kModeMask;
        if (opsys == ZIP_OPSYS_UNIX && mode == kModeSymlink)
            bad_entry(i, name, "a symbolic link");
        if (opsys == ZIP_OPSYS_UNIX && mode != 0 && mode != kModeRegular)
            bad_entry(i, name, mode == kModeDirectory ? "a directory entry" : "not a regular file");
        if (st.encryption_method != ZIP_EM_NONE)
            bad_entry(i, name, "encrypted entries are not supported");
        // The central directory's sizes are the archive's word: checked against what the archive
        // can hold before they size anything (a 52 KB zip declaring a 1 GiB entry).
        compressed += st.comp_size;
        if (st.comp_size > data.size() || compressed > data.size()) {
            bad_entry(i, name,
                      fmt::format("declares {} compressed bytes ({} up to it) in an archive of {} "
                                  "bytes",
                                  st.comp_size, compressed, data.size()));
        }
        if (st.comp_method == ZIP_CM_STORE && st.size != st.comp_size) {
            bad_entry(i, name,
                      fmt::format("stored, but declares {} bytes in {} stored bytes", st.size,
                                  st.comp_size));
        }
        if (st.size / std::max<std::uint64_t>(st.comp_size, 1) > kMaxDeflateRatio) {
            bad_entry(i, name,
                      fmt::format("declares {} bytes from {} compressed (more than deflate can "
                                  "give, {}:1)",
                                  st.size, st.comp_size, kMaxDeflateRatio));
        }
        if (st.size > limits.ratio_min_size &&
            st.size / std::max<std::uint64_t>(st.comp_size, 1) > limits.max_ratio) {
            bad_entry(i, name,
                      fmt::format("{} bytes compressed to {} (ratio above the limit {}:1)", st.size,
                                  st.comp_size, limits.max_ratio));
        }
        total += st.size;
        if (total > limits.max_total_size) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("more than {} bytes uncompressed (limit reached at entry {} "
                                    "'{}')",
                                    limits.max_total_size, i, name));
        }
    }
    std::vector<ZipEntry> out;
    for (std::uint64_t i = 0; i < stats.size(); ++i)
        out.push_back({stats[i].name, read_entry(z.get(), i, stats[i].name, stats[i].size)});
    return out;
}

}  // namespace rtprov::pkg
