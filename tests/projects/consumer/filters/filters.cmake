# consumer_add_port_filter(<name> PORT <port>): an XDP object that drops UDP
# packets to the ports listed in its map `blocked`, with two tests. A
# consumer's own helper function, as real projects write them.
function(consumer_add_port_filter name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PORT" "")
  bpf_add_object(${name}
    SOURCES ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/port_filter.bpf.c
    COMPILE_DEFINITIONS FILTER_NAME=${name})
  bpf_add_test(${name}.drops_blocked_port OBJECT ${name} PROGRAM drop_blocked_ports
    PACKET "eth/ipv4/udp(dport=${arg_PORT})"
    SET_MAP "blocked[${arg_PORT}]=1"
    EXPECT_RETVAL XDP_DROP
    EXPECT_MAP "hits[${arg_PORT}] == 1" "count(hits) == 1")
  bpf_add_test(${name}.passes_other_ports OBJECT ${name} PROGRAM drop_blocked_ports
    PACKET "eth/ipv4/udp(dport=80)"
    SET_MAP "blocked[${arg_PORT}]=1"
    EXPECT_RETVAL XDP_PASS
    EXPECT_MAP "hits[80] absent")
endfunction()
