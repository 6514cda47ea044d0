// Each build ran the README's first program: it must have printed exactly what the README shows,
// on a class path with pollen-core and the chosen backend and without Netty (and, for nio, without JNA).
def expected = new File(basedir, 'expected-output.txt').getText('UTF-8').readLines()
['epoll', 'nio'].each { backend ->
    def out = new File(basedir, "target/output-${backend}.txt")
    assert out.isFile() : "the build with pollen-${backend} did not run the program (no ${out})"
    def printed = out.getText('UTF-8').readLines()
    assert printed == expected : "with pollen-${backend} the README's first program printed ${printed}; README.md says ${expected}"

    def jars = new File(basedir, "target/classpath-${backend}.txt").getText('UTF-8')
            .split(File.pathSeparator).collect { new File(it.trim()).name }
    assert jars.any { it.startsWith('pollen-core-') } : "no pollen-core on the class path: ${jars}"
    assert jars.any { it.startsWith("pollen-${backend}-") } : "no pollen-${backend} on the class path: ${jars}"
    assert !jars.any { it.contains('netty') } : "a user of pollen-${backend} got Netty: ${jars}"
    if (backend == 'nio') {
        assert !jars.any { it.startsWith('jna-') || it.startsWith('pollen-posix-') } : "a user of pollen-nio got native code: ${jars}"
    }
}
return true
