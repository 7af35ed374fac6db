// The SB 1.x loader state machine, following MCUBoot's sbloader.c chunk by chunk (unencrypted
// files only: the simulator has no SB key).

#include "rtprov/sim/sb_loader.hpp"

#include <algorithm>
#include <cstring>

namespace rtprov::sim {

std::uint32_t SbLoader::pump(ByteView data) {
    std::size_t at = 0;
    while (at < data.size()) {
        const std::size_t n = std::min(sb::kBlockSize - fill_, data.size() - at);
        std::memcpy(buf_ + fill_, data.data() + at, n);
        fill_ += n;
        at += n;
        if (fill_ < sb::kBlockSize)
            break;
        fill_ = 0;
        // Once the boot section is found, only its chunks count; what follows is ignored.
        std::uint32_t status = kSuccess;
        if (boot_sect_chunks_ != 0) {
            if (received_ != boot_sect_chunks_) {
                ++received_;
                status = chunk(buf_);
            }
        } else if (skip_ != 0) {
            --skip_;
        } else {
            status = chunk(buf_);
        }
        if (status != kSuccess)
            return status;
    }
    return fill_ != 0 ? kDataUnderrun : kSuccess;
}

std::uint32_t SbLoader::chunk(const std::uint8_t* c) {
    switch (step_) {
        case Step::Header0:  // the first 16 bytes of the digest: the IV of encrypted files
            step_ = Step::Header1;
            return kSuccess;
        case Step::Header1:
            file_chunks_ = load_le32(c + 12) - 2;
            if (std::memcmp(c + 4, "STMP", 4) != 0 || c[8] > 1)
                return kSignature;
            step_ = Step::Header2;
            return kSuccess;
        case Step::Header2:
            object_id_ = load_le32(c + 4);
            sect_chunks_ = load_le32(c) - 3;
            if (sect_chunks_ >= file_chunks_)
                return kSectionLength;
            if (load_le16(c + 8) != 0)
                return kUnencryptedOnly;
            return next_section();  // skip the rest of the header and the section table
        case Step::Command:
            return command(c);
        case Step::LoadData:
            return load_data(c);
    }
    return kUnknownCommand;
}

std::uint32_t SbLoader::next_section() {
    if (file_chunks_ <= sect_chunks_)
        return kEofReached;
    file_chunks_ -= sect_chunks_;
    skip_ = sect_chunks_;
    step_ = Step::Command;
    sect_chunks_ = 1;
    return kSuccess;
}

std::uint32_t SbLoader::command(const std::uint8_t* c) {
    if (c[0] != sb::header_checksum(ByteView(c, sb::kBlockSize)))
        return kChecksum;
    cmd_ = sb::Command{static_cast<sb::Tag>(c[1]), load_le16(c + 2),  load_le32(c + 4),
                       load_le32(c + 8),           load_le32(c + 12), {}};
    const std::uint32_t memory_id = sb::memory_id(cmd_.flags);
    switch (cmd_.tag) {
        case sb::Tag::Nop:
        case sb::Tag::Mode:  // ignored by the RT flashloader
            return kSuccess;
        case sb::Tag::Tag:
            sect_chunks_ = cmd_.count;
            if (sect_chunks_ > file_chunks_)
                return kSectionLength;
            if ((cmd_.data & sb::kSectionBootable) && cmd_.address == object_id_ && cmd_.count) {
                boot_sect_chunks_ = cmd_.count;
                return kSuccess;
            }
            if (cmd_.flags & sb::kFlagLastTag)
                return kIdNotFound;
            return next_section();
        case sb::Tag::Load:
            crc_ = 0xFFFFFFFF;
            step_ = cmd_.count == 0 ? Step::Command : Step::LoadData;
            return kSuccess;
        case sb::Tag::Fill:
            return ops_.fill(cmd_.address, cmd_.count, cmd_.data);
        case sb::Tag::Jump:
        case sb::Tag::Reset:
            return kAbortDataPhase;  // the flashloader jumps or resets after its response
        case sb::Tag::Call:
            return ops_.call(cmd_.address) == kSuccess ? kSuccess : kCallFailed;
        case sb::Tag::Erase:
            if (cmd_.flags & sb::kFlagEraseAllUnsecure)
                return kInvalidArgument;
            if (cmd_.flags & sb::kFlagEraseAll)
                return ops_.erase_all(memory_id);
            return ops_.erase(cmd_.address, cmd_.count, memory_id);
        case sb::Tag::MemEnable:
            return ops_.configure(memory_id, cmd_.address);
        case sb::Tag::Prog: {
            if (memory_id != kFuseMemoryId)
                return kInvalidArgument;
            std::uint32_t status = ops_.program_fuse(cmd_.address, cmd_.count);
            if (status == kSuccess && (cmd_.flags & sb::kFlagProg8Bytes))
                status = ops_.program_fuse(cmd_.address + 1, cmd_.data);
            return status;
        }
    }
    return kUnknownCommand;
}

std::uint32_t SbLoader::load_data(const std::uint8_t* c) {
    // The last chunk may be partly padding: only `count` bytes are written, all 16 are in the CRC.
    const std::uint32_t n = std::min<std::uint32_t>(cmd_.count, sb::kBlockSize);
    const std::uint32_t status =
        ops_.write(cmd_.address, ByteView(c, n), sb::memory_id(cmd_.flags));
    if (status != kSuccess)
        return status;
    crc_ = sb::crc32_mpeg2(ByteView(c, sb::kBlockSize), crc_);
    cmd_.address += n;
    cmd_.count -= n;
    if (cmd_.count != 0)
        return kSuccess;
    step_ = Step::Command;
    return crc_ == cmd_.data ? kSuccess : kCrc32Error;
}

}  // namespace rtprov::sim
