// The README's dependency snippet names this version and only artifacts the BOM manages.
def readmeText = new File(readme).getText('UTF-8')
def addStart = readmeText.indexOf('\n## Add it to a project')
assert addStart >= 0 : "README.md has no '## Add it to a project' section"
def xml = readmeText.substring(addStart) =~ /(?s)```xml\n(.*?)```/
assert xml.find() : "README.md's 'Add it to a project' has no ```xml block"
def snippetXml = new groovy.xml.XmlSlurper().parseText('<root>' + xml.group(1) + '</root>')
def bom = new groovy.xml.XmlSlurper().parse(new File(bomPom))
def managed = bom.dependencyManagement.dependencies.dependency.collect { it.artifactId.text() } as Set
assert bom.version.text() == pollenVersion : "bom/pom.xml has version ${bom.version.text()}, the build ${pollenVersion}"
// The BOM manages exactly the published modules: the root pom's jar modules that do not set
// maven.javadoc.skip (benchmarks, examples and this one are not published).
def folderOf = new groovy.xml.XmlSlurper().parse(new File(rootDir, 'pom.xml')).modules.module.collectEntries { name ->
    [(name.text()): new groovy.xml.XmlSlurper().parse(new File(rootDir, name.text() + '/pom.xml'))]
}.findAll { folder, pom ->
    (pom.packaging.text() ?: 'jar') == 'jar' && pom.properties.'maven.javadoc.skip'.text() != 'true'
}.collectEntries { folder, pom -> [(pom.artifactId.text()): folder] }
def published = folderOf.keySet()
assert managed == published : "pollen-bom manages ${managed}, the published modules are ${published}: update bom/pom.xml"
// Each published module's -sources.jar holds the source of every top-level class in its jar,
// including those compiled from a second source root (the java.lang.foreign bindings in
// src/main/java22), so an IDE can show all of it.
published.each { artifact ->
    def target = new File(rootDir, folderOf[artifact] + '/target')
    def jar = new File(target, "${artifact}-${pollenVersion}.jar")
    def sources = new File(target, "${artifact}-${pollenVersion}-sources.jar")
    if (!jar.isFile() || !sources.isFile()) {
        println "first-program: ${artifact}'s jars were not built in this run (-pl, or maven.source.skip): its -sources.jar is not checked"
        return
    }
    def names = { File f -> new java.util.zip.ZipFile(f).withCloseable { z -> z.entries().collect { it.name } } }
    def classes = names(jar).findAll { it.endsWith('.class') && !it.contains('$') && !it.endsWith('module-info.class') }
            .collect { it - ~/\.class$/ }
    def sourceFiles = names(sources).findAll { it.endsWith('.java') }.collect { it - ~/\.java$/ } as Set
    def missing = classes.findAll { !sourceFiles.contains(it) }
    assert missing.isEmpty() : "${sources.name} lacks the source of ${missing}: add their source root to the module's sources jar"
}
snippetXml.'**'.findAll { it.name() == 'version' }.each {
    assert it.text() == pollenVersion : "README.md's snippet names version ${it.text()}, the build is ${pollenVersion}"
}
snippetXml.'**'.findAll { it.name() == 'artifactId' }.each {
    assert it.text() == 'pollen-bom' || managed.contains(it.text()) : "README.md's snippet names ${it.text()}, which pollen-bom does not manage: ${managed}"
}

// Writes the README's first program into this project, exactly as the README shows it, and the
// output the README says it prints. `readme` (README.md's path) comes from the invoker's
// scriptVariables; `basedir` is this project's copy under target/it.
def text = new File(readme).getText('UTF-8')
def start = text.indexOf('\n## A first program')
assert start >= 0 : "README.md has no '## A first program' section"
def end = text.indexOf('\n## ', start + 1)
def section = text.substring(start, end < 0 ? text.length() : end)

def code = section =~ /(?s)```java\n(.*?)```/
assert code.find() : "README.md's 'A first program' has no ```java block"
def snippet = code.group(1)
def output = section =~ /(?s)```text\n(.*?)```/
assert output.find() : "README.md's 'A first program' must show what the program prints in a ```text block"

def source
def named = snippet =~ /(?m)^public (?:final )?class (\w+)/
if (named.find()) {
    // A whole class: used as it is, in a file of its name (run as FirstProgram only if so named).
    assert named.group(1) == 'FirstProgram' : "name the README's first-program class FirstProgram, or show statements only"
    source = snippet
} else {
    // Statements with their imports: the imports on top, the statements in a main method.
    def lines = snippet.readLines()
    def imports = lines.findAll { it.startsWith('import ') }
    def body = lines.findAll { !it.startsWith('import ') }.dropWhile { it.trim().isEmpty() }
    source = imports.join('\n') + '\n\npublic class FirstProgram {\n' +
            '    public static void main(String[] args) throws Exception {\n' +
            body.collect { it.isEmpty() ? it : '        ' + it }.join('\n') + '\n    }\n}\n'
}
def dir = new File(basedir, 'src/main/java')
dir.mkdirs()
new File(dir, 'FirstProgram.java').setText(source, 'UTF-8')
new File(basedir, 'expected-output.txt').setText(output.group(1), 'UTF-8')
println "first-program: compiling the README's first program:\n" + source
return true
