#include "bpfkit/disassembler.hpp"

#include <llvm-c/Disassembler.h>
#include <llvm-c/Target.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

namespace bpfkit {
namespace {

constexpr std::size_t slot_size = 8;

void initialize_bpf_target() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFDisassembler();
  });
}

// LLVM indents with a tab; listings align better without it.
std::string trim(const char *text) {
  std::string s(text);
  std::size_t begin = s.find_first_not_of(" \t");
  return begin == std::string::npos ? std::string() : s.substr(begin);
}

std::string raw_slot(std::span<const std::uint8_t> code, std::size_t offset) {
  std::string text = ".insn ";
  char byte[3];
  for (std::size_t i = offset; i < offset + slot_size && i < code.size(); ++i) {
    std::snprintf(byte, sizeof byte, "%02x", code[i]);
    text += byte;
  }
  return text;
}

}  // namespace

disassembler::disassembler() {
  initialize_bpf_target();
  context_ = LLVMCreateDisasm("bpfel", nullptr, 0, nullptr, nullptr);
  if (!context_) throw std::runtime_error("LLVM has no BPF disassembler (libLLVM without the BPF target)");
}

disassembler::~disassembler() { LLVMDisasmDispose(static_cast<LLVMDisasmContextRef>(context_)); }

std::vector<disassembled_insn> disassembler::disassemble(std::span<const std::uint8_t> code) const {
  std::vector<disassembled_insn> out;
  char text[256];
  std::size_t offset = 0;
  while (offset + slot_size <= code.size()) {
    // LLVMDisasmInstruction takes a non-const buffer but does not write it.
    auto *bytes = const_cast<std::uint8_t *>(code.data() + offset);
    std::size_t size = LLVMDisasmInstruction(static_cast<LLVMDisasmContextRef>(context_), bytes,
                                             code.size() - offset, offset, text, sizeof text);
    const auto index = static_cast<std::uint32_t>(offset / slot_size);
    if (size == 0 || size % slot_size != 0) {
      out.push_back({index, 1, raw_slot(code, offset)});
      offset += slot_size;
      continue;
    }
    out.push_back({index, static_cast<std::uint32_t>(size / slot_size), trim(text)});
    offset += size;
  }
  return out;
}

}  // namespace bpfkit
