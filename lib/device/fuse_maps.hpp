#pragma once
// The RT10xx fuse maps rtprov uses, taken from SPSDK's fuses.json per part (register offset,
// index_int, bit fields). Internal to lib/device: included by devices_data.cpp only.
//
// Four maps cover the family (the fuses.json files are identical within each):
//   kRt1010  mimxrt1010 (OTFAD instead of BEE and MAC; no SRK_LOCK)
//   kRt1020  mimxrt1015, mimxrt1020, mimxrt1024
//   kRt1050  mimxrt1050 (adds SEC_CONFIG[0] and DIR_BT_DIS; EncryptedXIP at bit 1)
//   kRt1060  mimxrt1040, mimxrt1043, mimxrt1046, mimxrt1060, mimxrt1064 (MAC2, 128-bit GP3/GP4 in
//            the bank at 0x800, whose OTP index continues at 0x30)

#include <algorithm>
#include <array>
#include <cstddef>

#include "rtprov/device/device.hpp"

namespace rtprov::device::fuse_maps {

template <typename T, std::size_t... N>
constexpr std::array<T, (N + ...)> concat(const std::array<T, N>&... parts) {
    std::array<T, (N + ...)> out{};
    std::size_t at = 0;
    ((std::copy(parts.begin(), parts.end(), out.begin() + static_cast<std::ptrdiff_t>(at)),
      at += N),
     ...);
    return out;
}

// offset: the fuse-map offset as NXP's reference manuals and fuses.json give it (0x400..0x8F0).
constexpr FuseWord word(std::string_view name, std::uint32_t offset, std::uint32_t index,
                        std::string_view reference_name) {
    return FuseWord{name, index, kOcotpBase + offset, reference_name};
}

// ---- Words ----------------------------------------------------------------------------------

inline constexpr std::array kIdAndBootWords{
    word("LOCK", 0x400, 0x00, "LOCKS"),
    word("UUID0", 0x410, 0x01, "LOT_NO_ENC1"),              // unique ID [31:0] (OCOTP_CFG0)
    word("UUID1", 0x420, 0x02, "LOT_NO_ENC0_WAFER_COORD"),  // unique ID [63:32] (OCOTP_CFG1)
    word("TESTER_CFG", 0x440, 0x04, "TESTER_CFG"),
    word("BOOT_CFG0", 0x450, 0x05, "BOOT_CFG0"),
    word("BOOT_CFG1", 0x460, 0x06, "BOOT_CFG1"),
    word("BOOT_CFG2", 0x470, 0x07, "BOOT_CFG2"),
    word("USB_ID", 0x4F0, 0x0F, "USB_ID"),
};

// SRKn receives bytes [4n, 4n+4) of the SRK table hash as a little-endian word (hab.md section 6);
// SPSDK names the same registers from the other end of the 256-bit value.
inline constexpr std::array kSrkWords{
    word("SRK0", 0x580, 0x18, "SRK_HASH[255:224]"), word("SRK1", 0x590, 0x19, "SRK_HASH[223:192]"),
    word("SRK2", 0x5A0, 0x1A, "SRK_HASH[191:160]"), word("SRK3", 0x5B0, 0x1B, "SRK_HASH[159:128]"),
    word("SRK4", 0x5C0, 0x1C, "SRK_HASH[127:96]"),  word("SRK5", 0x5D0, 0x1D, "SRK_HASH[95:64]"),
    word("SRK6", 0x5E0, 0x1E, "SRK_HASH[63:32]"),   word("SRK7", 0x5F0, 0x1F, "SRK_HASH[31:0]"),
};

// SW_GP2 is the 128-bit BEE/OTFAD user key; words named in address order.
inline constexpr std::array kGpWords{
    word("GP1", 0x660, 0x26, "GP1[31:0]"),          word("GP2", 0x670, 0x27, "GP2[31:0]"),
    word("SW_GP1", 0x680, 0x28, "SW_GP1[31:0]"),    word("SW_GP2_0", 0x690, 0x29, "SW_GP2[127:96]"),
    word("SW_GP2_1", 0x6A0, 0x2A, "SW_GP2[95:64]"), word("SW_GP2_2", 0x6B0, 0x2B, "SW_GP2[63:32]"),
    word("SW_GP2_3", 0x6C0, 0x2C, "SW_GP2[31:0]"),  word("MISC_CONF0", 0x6D0, 0x2D, "MISC_CONF0"),
    word("MISC_CONF1", 0x6E0, 0x2E, "MISC_CONF1"),  word("SRK_REVOKE", 0x6F0, 0x2F, "SRK_REVOKE"),
};

inline constexpr std::array kRt1010MidWords{
    word("SJC_RESP0", 0x600, 0x20, "SJC_RESP[31:0]"),
    word("SJC_RESP1", 0x610, 0x21, "SJC_RESP[63:32]"),
    word("OTFAD_KEY_SCRAMBLE", 0x620, 0x22, "OTFAD_KEY_SCRAMBLE[31:0]"),
    word("OTFAD_CFG", 0x630, 0x23, "OTFAD_ENABLE"),
    word("GP3", 0x640, 0x24, "GP3[31:0]"),
};

inline constexpr std::array kRt1020MidWords{
    word("SJC_RESP0", 0x600, 0x20, "SJC_RESP0"), word("SJC_RESP1", 0x610, 0x21, "SJC_RESP1"),
    word("MAC0", 0x620, 0x22, "MAC1_ADDR1"),  // MAC1_ADDR[47:16]
    word("MAC1", 0x630, 0x23, "MAC1_ADDR0"),  // MAC1_ADDR[15:0]
    word("GP3", 0x640, 0x24, "GP3[31:0]"),
};

inline constexpr std::array kRt1060MidWords{
    word("SJC_RESP0", 0x600, 0x20, "SJC_RESP0"),
    word("SJC_RESP1", 0x610, 0x21, "SJC_RESP1"),
    word("MAC0", 0x620, 0x22, "MAC1_ADDR1"),             // MAC1_ADDR[47:16]
    word("MAC1", 0x630, 0x23, "MAC1_ADDR0_MAC2_ADDR1"),  // MAC1_ADDR[15:0], MAC2_ADDR[47:32]
    word("MAC2", 0x640, 0x24, "MAC2_ADDR0"),             // MAC2_ADDR[31:0]
};

// The second bank: fuse-map offsets 0x800.. map to OTP index 0x30.. (0x800-0x870 reserved).
inline constexpr std::array kRt1060HighWords{
    word("GP3_0", 0x880, 0x38, "GP3[127:96]"), word("GP3_1", 0x890, 0x39, "GP3[95:64]"),
    word("GP3_2", 0x8A0, 0x3A, "GP3[63:32]"),  word("GP3_3", 0x8B0, 0x3B, "GP3[31:0]"),
    word("GP4_0", 0x8C0, 0x3C, "GP4[127:96]"), word("GP4_1", 0x8D0, 0x3D, "GP4[95:64]"),
    word("GP4_2", 0x8E0, 0x3E, "GP4[63:32]"),  word("GP4_3", 0x8F0, 0x3F, "GP4[31:0]"),
};

inline constexpr auto kRt1010Words = concat(kIdAndBootWords, kSrkWords, kRt1010MidWords, kGpWords);
inline constexpr auto kRt1020Words = concat(kIdAndBootWords, kSrkWords, kRt1020MidWords, kGpWords);
inline constexpr auto kRt1050Words = kRt1020Words;
inline constexpr auto kRt1060Words =
    concat(kIdAndBootWords, kSrkWords, kRt1060MidWords, kGpWords, kRt1060HighWords);

// ---- Fields ---------------------------------------------------------------------------------

inline constexpr std::array kLockFields{
    FuseField{"TESTER_LOCK", "LOCK", 0, 2, "lock of the tester fuses (UUID, SI_REV, TESTER_CFG)"},
    FuseField{"BOOT_CFG_LOCK", "LOCK", 2, 2, "BOOT_CFG0..2: 1 write lock, 2 override lock"},
    FuseField{"SJC_RESP_LOCK", "LOCK", 6, 1, "SJC_RESP0/1 write, read and override lock"},
    FuseField{"MAC_ADDR_LOCK", "LOCK", 8, 2, "0x620..0x640 (MAC or OTFAD words) lock"},
    FuseField{"GP1_LOCK", "LOCK", 10, 2, "GP1 lock"},
    FuseField{"GP2_LOCK", "LOCK", 12, 2, "GP2 lock"},
    FuseField{"SW_GP1_LOCK", "LOCK", 16, 1, "SW_GP1 lock"},
    FuseField{"ANALOG_LOCK", "LOCK", 18, 2, "analog trim fuses lock"},
    FuseField{"SW_GP2_LOCK", "LOCK", 21, 1, "SW_GP2 write and override lock"},
    FuseField{"MISC_CONF_LOCK", "LOCK", 22, 1, "MISC_CONF0/1 lock"},
    FuseField{"SW_GP2_RLOCK", "LOCK", 23, 1, "SW_GP2 read lock (key hidden from software)"},
    FuseField{"GP3_LOCK", "LOCK", 26, 2, "GP3 lock"},
    FuseField{"FIELD_RETURN", "LOCK", 31, 1, "field return mode"},
};

// Not in SPSDK's fuses.json: the bit is reserved there. SRK_LOCK = LOCK[14] as in the OCOTP_LOCK
// layout of the i.MX RT10xx/6 family and NXP's MCUBootUtility fuse maps for RT1015/RT1050; NXP's
// MCUBootUtility marks LOCK[14] reserved on RT1010, so kRt1010 leaves it out.
inline constexpr std::array kSrkLockField{
    FuseField{"SRK_LOCK", "LOCK", 14, 1, "SRK0..SRK7 write lock (not in SPSDK's fuses.json)"},
};

inline constexpr std::array kRt1060LockFields{
    FuseField{"GP4_RLOCK", "LOCK", 7, 1, "GP4 read lock"},
    FuseField{"GP4_LOCK", "LOCK", 24, 2, "GP4 lock"},
};

inline constexpr std::array kSecConfig0Field{
    FuseField{"SEC_CONFIG[0]", "TESTER_CFG", 1, 1, "security configuration bit 0"},
};

// BOOT_CFG0 with EncryptedXIP at bit 0 (RT1010, RT1015/RT102x) or bit 1 (RT1050, RT106x/RT104x).
template <std::uint8_t EncryptedXipBit>
inline constexpr std::array kBootCfg0Fields{
    FuseField{"ENCRYPTED_XIP", "BOOT_CFG0", EncryptedXipBit, 1, "boot encrypted XIP (BEE/OTFAD)"},
    FuseField{"BOOT_DEVICE_SELECTION", "BOOT_CFG0", 4, 4, "boot device when BT_FUSE_SEL is 1"},
    FuseField{"BOOT_CFG2", "BOOT_CFG0", 8, 8, "boot device options (BOOT_CFG2)"},
    FuseField{"BOOT_CFG3", "BOOT_CFG0", 16, 8, "boot device options (BOOT_CFG3)"},
    FuseField{"BOOT_CFG4", "BOOT_CFG0", 24, 8, "boot device options (BOOT_CFG4)"},
};

inline constexpr std::array kBootCfgFields{
    FuseField{"SEC_CONFIG[1]", "BOOT_CFG1", 1, 1, "1 closes HAB: only authenticated images boot"},
    FuseField{"BT_FUSE_SEL", "BOOT_CFG1", 4, 1, "boot configuration from fuses, not GPIO pins"},
    FuseField{"FORCE_INTERNAL_BOOT", "BOOT_CFG1", 16, 1, "ignore the BOOT_MODE pins"},
    FuseField{"SDP_DISABLE", "BOOT_CFG1", 17, 1, "disable the serial downloader"},
    FuseField{"SDP_READ_DISABLE", "BOOT_CFG1", 18, 1, "disable SDP READ_REGISTER"},
    FuseField{"SJC_DISABLE", "BOOT_CFG1", 20, 1, "disable the secure JTAG controller"},
    FuseField{"JTAG_SMODE", "BOOT_CFG1", 22, 2, "JTAG security: 0 enabled, 1 secure, 3 none"},
    FuseField{"KTE", "BOOT_CFG1", 26, 1, "kill trace enable"},
    FuseField{"JTAG_HEO", "BOOT_CFG1", 27, 1, "HAB may not enable JTAG"},
    FuseField{"UART_SERIAL_DOWNLOAD_DISABLE", "BOOT_CFG2", 4, 1, "disable SDP over UART"},
};

inline constexpr std::array kBeeKeySelFields{
    FuseField{"BEE_KEY0_SEL", "BOOT_CFG1", 12, 2,
              "BEE region 0 key: 0 register, 2 OTPMK, 3 SW_GP2"},
    FuseField{"BEE_KEY1_SEL", "BOOT_CFG1", 14, 2,
              "BEE region 1 key: 0 register, 2 OTPMK, 3 SW_GP2"},
};

inline constexpr std::array kRt1010OtfadFields{
    FuseField{"OTFAD_KEY_SEL0", "BOOT_CFG1", 12, 1, "OTFAD key source (with OTFAD_KEY_SEL1)"},
    FuseField{"OTFAD_KEY_SEL1", "BOOT_CFG1", 13, 1, "OTFAD key source (with OTFAD_KEY_SEL0)"},
    FuseField{"OTFAD_KEY_SCRAMBLE_ALIGN", "OTFAD_CFG", 0, 8, "OTFAD key scramble alignment"},
    FuseField{"OTFAD_ENABLE", "OTFAD_CFG", 8, 1, "enable OTFAD"},
    FuseField{"OTFAD_KEY_BLOB_EN", "OTFAD_CFG", 9, 1, "enable the OTFAD key blob"},
    FuseField{"ENB_OTFAD_KEY_SCRAMBLE", "OTFAD_CFG", 10, 1, "enable OTFAD key scrambling"},
};

inline constexpr std::array kDirBtDisField{
    FuseField{"DIR_BT_DIS", "BOOT_CFG1", 3, 1, "disable direct boot from external memory"},
};

inline constexpr std::array kUsbAndRevokeFields{
    FuseField{"USB_VID", "USB_ID", 0, 16, "boot ROM USB VID override"},
    FuseField{"USB_PID", "USB_ID", 16, 16, "boot ROM USB PID override"},
    FuseField{"SRK_REVOKE1", "SRK_REVOKE", 0, 1, "revoke SRK #1 (index 0)"},
    FuseField{"SRK_REVOKE2", "SRK_REVOKE", 1, 1, "revoke SRK #2 (index 1)"},
    FuseField{"SRK_REVOKE3", "SRK_REVOKE", 2, 1, "revoke SRK #3 (index 2)"},
    FuseField{"SRK_REVOKE4", "SRK_REVOKE", 3, 1, "revoke SRK #4 (index 3)"},
};

inline constexpr auto kRt1010Fields =
    concat(kLockFields, kSecConfig0Field, kBootCfg0Fields<0>, kBootCfgFields, kRt1010OtfadFields,
           kUsbAndRevokeFields);
inline constexpr auto kRt1020Fields = concat(kLockFields, kSrkLockField, kBootCfg0Fields<0>,
                                             kBootCfgFields, kBeeKeySelFields, kUsbAndRevokeFields);
inline constexpr auto kRt1050Fields =
    concat(kLockFields, kSrkLockField, kSecConfig0Field, kBootCfg0Fields<1>, kBootCfgFields,
           kDirBtDisField, kBeeKeySelFields, kUsbAndRevokeFields);
inline constexpr auto kRt1060Fields =
    concat(kLockFields, kSrkLockField, kRt1060LockFields, kSecConfig0Field, kBootCfg0Fields<1>,
           kBootCfgFields, kBeeKeySelFields, kUsbAndRevokeFields);

}  // namespace rtprov::device::fuse_maps
