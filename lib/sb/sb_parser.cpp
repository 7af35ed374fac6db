// Parsing SB 1.x files: every field the flashloader relies on is checked, and the first
// inconsistency is reported with its file offset.

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <mbedtls/sha1.h>

#include "rtprov/sb/sb.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::sb {

namespace {

constexpr std::uint8_t kMaxTag = static_cast<std::uint8_t>(Tag::Prog);

class Parser {
  public:
    Parser(ByteView data, const std::string& name) : d_(data), name_(name) {}

    [[noreturn]] void fail(std::size_t offset, const std::string& what) const {
        throw Error(ErrorCode::BadInput, fmt::format("{}: offset 0x{:X}: {}", name_, offset, what));
    }

    SbFile run() {
        if (d_.size() < kHeaderSize) {
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}: {} bytes; an SB file starts with a {}-byte header", name_,
                                    d_.size(), kHeaderSize));
        }
        if (std::memcmp(&d_[0x14], "STMP", 4) != 0)
            fail(0x14, "no 'STMP' signature; not an SB file");
        SbFile f;
        f.major = d_[0x18];
        f.minor = d_[0x19];
        if (f.major != 1) {
            fail(0x18, fmt::format("SB version {}.{}; rtprov reads SB 1.x (SB 2.x files are for "
                                   "other NXP parts)",
                                   f.major, f.minor));
        }
        if (f.minor >= 2 && std::memcmp(&d_[0x34], "sgtl", 4) != 0)
            fail(0x34, fmt::format("no 'sgtl' signature, which version 1.{} has", f.minor));
        std::copy_n(&d_[0], 20, f.digest.begin());
        std::uint8_t digest[20];
        mbedtls_sha1_ret(&d_[0x14], kHeaderSize - 0x14, digest);
        if (std::memcmp(digest, &d_[0], 20) != 0)
            fail(0, "the header digest (SHA-1 of bytes 0x14..0x5F) does not match the header");
        f.flags = load_le16(&d_[0x1A]);
        const std::uint32_t image_blocks = load_le32(&d_[0x1C]);
        const std::uint32_t first_tag = load_le32(&d_[0x20]);
        f.first_boot_section = load_le32(&d_[0x24]);
        const std::uint16_t key_count = load_le16(&d_[0x28]);
        const std::uint16_t key_block = load_le16(&d_[0x2A]);
        const std::uint16_t header_blocks = load_le16(&d_[0x2C]);
        const std::uint16_t count = load_le16(&d_[0x2E]);
        const std::uint16_t section_header_size = load_le16(&d_[0x30]);
        if (static_cast<std::uint64_t>(image_blocks) * kBlockSize != d_.size()) {
            fail(0x1C,
                 fmt::format("image size {} blocks ({} bytes), but the file has {} bytes",
                             image_blocks, std::uint64_t{image_blocks} * kBlockSize, d_.size()));
        }
        if (key_count != 0) {
            fail(0x28, fmt::format("{} keys: an encrypted SB file; rtprov reads unencrypted "
                                   "files only",
                                   key_count));
        }
        if (header_blocks != kHeaderSize / kBlockSize)
            fail(0x2C, fmt::format("header size {} blocks, expected 6", header_blocks));
        if (section_header_size != 1)
            fail(0x30,
                 fmt::format("section header size {} blocks, expected 1", section_header_size));
        if (count == 0)
            fail(0x2E, "no sections");
        if (key_block != header_blocks + count) {
            fail(0x2A, fmt::format("key dictionary block {}, expected {} (header and section "
                                   "table)",
                                   key_block, header_blocks + count));
        }
        if (first_tag != key_block)
            fail(0x20, fmt::format("first boot tag block {}, expected {}", first_tag, key_block));
        f.header_padding[0] = d_[0x32];
        f.header_padding[1] = d_[0x33];
        std::copy_n(&d_[0x5A], 6, f.header_padding.begin() + 2);
        f.timestamp = load_le64(&d_[0x38]);
        for (std::size_t i = 0; i < 3; ++i) {
            f.product_version[i] = load_be16(&d_[0x40 + 4 * i]);
            f.component_version[i] = load_be16(&d_[0x4C + 4 * i]);
        }
        f.drive_tag = load_le16(&d_[0x58]);

        std::size_t pos = kHeaderSize;
        for (std::uint16_t i = 0; i < count; ++i, pos += kBlockSize) {
            Section s;
            s.id = load_le32(&d_[pos]);
            s.table_offset = load_le32(&d_[pos + 4]);
            s.flags = load_le32(&d_[pos + 12]);
            table_blocks_.push_back(load_le32(&d_[pos + 8]));
            f.sections.push_back(s);
        }
        pos = std::size_t{first_tag} * kBlockSize;
        for (std::size_t i = 0; i < f.sections.size(); ++i)
            pos = section(f.sections[i], i, pos);
        if (d_.size() - pos != kTrailerSize) {
            fail(pos, fmt::format("{} bytes after the last section; expected the {}-byte trailer "
                                  "(SHA-1 and padding)",
                                  d_.size() - pos, kTrailerSize));
        }
        std::uint8_t sha[20];
        mbedtls_sha1_ret(d_.data(), pos, sha);
        if (std::memcmp(sha, &d_[pos], 20) != 0)
            fail(pos, "the SHA-1 of the file does not match the trailer");
        std::copy_n(&d_[pos], 20, f.sha1.begin());
        std::copy_n(&d_[pos + 20], 12, f.trailer_padding.begin());
        return f;
    }

  private:
    // Reads a command header at `pos` (inside [pos, end)) and checks its checksum and tag.
    Command header(std::size_t pos, std::size_t end, const std::string& what) const {
        if (pos + kBlockSize > end)
            fail(pos, fmt::format("{}: runs past the end of its section", what));
        const ByteView b = d_.subspan(pos, kBlockSize);
        if (b[0] != header_checksum(b)) {
            fail(pos, fmt::format("{}: checksum 0x{:02X}, computed 0x{:02X}", what, b[0],
                                  header_checksum(b)));
        }
        if (b[1] > kMaxTag)
            fail(pos + 1, fmt::format("{}: unknown command tag 0x{:02X}", what, b[1]));
        return Command{static_cast<Tag>(b[1]), load_le16(&b[2]),  load_le32(&b[4]),
                       load_le32(&b[8]),       load_le32(&b[12]), {}};
    }

    std::size_t section(Section& s, std::size_t index, std::size_t pos) {
        const std::string where = fmt::format("section {}", index);
        if (pos + kBlockSize > d_.size() - std::min(d_.size(), kTrailerSize))
            fail(pos, fmt::format("{}: the file ends before its TAG command", where));
        const Command tag = header(pos, d_.size(), where + " TAG");
        if (tag.tag != Tag::Tag) {
            fail(pos + 1, fmt::format("{}: expected a TAG command, found {}", where,
                                      tag_name(static_cast<std::uint8_t>(tag.tag))));
        }
        if (tag.address != s.id || tag.data != s.flags || tag.count != table_blocks_[index]) {
            fail(pos, fmt::format("{}: TAG (id {}, {} blocks, flags 0x{:X}) differs from the "
                                  "section table (id {}, {} blocks, flags 0x{:X})",
                                  where, tag.address, tag.count, tag.data, s.id,
                                  table_blocks_[index], s.flags));
        }
        s.tag_flags = tag.flags;
        const std::size_t begin = pos + kBlockSize;
        const std::uint64_t end = begin + std::uint64_t{tag.count} * kBlockSize;
        if (end + kTrailerSize > d_.size()) {
            fail(pos + 8,
                 fmt::format("{}: {} blocks run past the end of the file", where, tag.count));
        }
        pos = begin;
        while (pos < end) {
            const std::string what = fmt::format("{} command {}", where, s.commands.size());
            Command c = header(pos, end, what);
            if (c.tag == Tag::Tag)
                fail(pos + 1, fmt::format("{}: a TAG inside a section", what));
            pos += kBlockSize;
            if (c.tag == Tag::Load) {
                const std::uint64_t padded = (std::uint64_t{c.count} + 15) / 16 * 16;
                if (pos + padded > end) {
                    fail(pos - kBlockSize + 8,
                         fmt::format("{}: LOAD of {} bytes runs past the end of the section", what,
                                     c.count));
                }
                c.payload.assign(d_.begin() + pos, d_.begin() + pos + padded);
                const std::uint32_t crc = crc32_mpeg2(c.payload);
                if (crc != c.data) {
                    fail(pos - kBlockSize + 12,
                         fmt::format("{}: LOAD data CRC-32 0x{:08X}, computed 0x{:08X}", what,
                                     c.data, crc));
                }
                pos += padded;
            }
            s.commands.push_back(std::move(c));
        }
        return pos;
    }

    ByteView d_;
    const std::string& name_;
    std::vector<std::uint32_t> table_blocks_;
};

}  // namespace

SbFile parse(ByteView data, const std::string& name) {
    return Parser(data, name).run();
}

}  // namespace rtprov::sb
