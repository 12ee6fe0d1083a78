// BPF instructions as text, through LLVM's MC disassembler.
//
// The BPF backend of the libLLVM that clang ships already knows every
// instruction and prints them in the same syntax as `llvm-objdump -d` and the
// verifier log, so bpfkit does not keep a decoder of its own.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace bpfkit {

struct disassembled_insn {
  std::uint32_t index;  // in 8-byte slots, as the verifier and line info count
  std::uint32_t slots;  // 2 for the 16-byte ld_imm64, else 1
  std::string text;     // e.g. "r1 = *(u32 *)(r1 + 0)"
};

class disassembler {
 public:
  // Throws std::runtime_error when the linked libLLVM has no BPF target.
  disassembler();
  ~disassembler();
  disassembler(const disassembler &) = delete;
  disassembler &operator=(const disassembler &) = delete;

  // Little-endian BPF code; bytes that do not decode become ".insn <hex>"
  // entries rather than an error, so a listing never stops half-way.
  std::vector<disassembled_insn> disassemble(std::span<const std::uint8_t> code) const;

 private:
  void *context_;  // LLVMDisasmContextRef
};

}  // namespace bpfkit
