using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace CnnDsl.Editor.Workspace;

/// <summary>
/// The workspace's .cnn files, grouped as the build groups them: by the nearest folder above them with a .csproj (whose
/// RootNamespace, or its file name, is the models' default namespace), or else the workspace root. Blocks are shared
/// within one such project, as the generator shares them.
/// </summary>
public sealed class WorkspaceState
{
    /// <summary>Files larger than this are not loaded from disk unopened; an editor may still open them.</summary>
    public const long MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>Folders never searched for .cnn files: build outputs and package caches.</summary>
    static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase) { "bin", "obj", "node_modules", ".git", ".vs", ".vscode" };

    readonly Dictionary<string, ProjectState> projects = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> projectOfFile = new(StringComparer.Ordinal);

    public WorkspaceState(string? root, string? rootNamespaceOverride)
    {
        Root = root;
        RootNamespaceOverride = rootNamespaceOverride;
    }

    public string? Root { get; }

    /// <summary>Set by the client (initializationOptions.rootNamespace): the default namespace of every project.</summary>
    public string? RootNamespaceOverride { get; }

    public IEnumerable<ProjectState> Projects => projects.Values;

    public ProjectState ProjectOf(string path)
    {
        if (projectOfFile.TryGetValue(path, out var key))
            return projects[key];
        var (folder, rootNamespace) = FindProject(path);
        projectOfFile[path] = folder;
        if (!projects.TryGetValue(folder, out var project))
            projects[folder] = project = new ProjectState(RootNamespaceOverride ?? rootNamespace);
        return project;
    }

    /// <summary>The .cnn files under the root, skipping build outputs and files too large to load unasked.</summary>
    public IEnumerable<string> DiscoverFiles()
    {
        if (Root == null || !Directory.Exists(Root))
            yield break;
        var pending = new Stack<string>();
        pending.Push(Root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            string[] files, folders;
            try
            {
                files = Directory.GetFiles(folder, "*.cnn");
                folders = Directory.GetDirectories(folder);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var file in files.OrderBy(f => f, StringComparer.Ordinal))
                if (new FileInfo(file).Length <= MaxFileBytes)
                    yield return file;
            foreach (var child in folders.Where(f => !SkippedFolders.Contains(Path.GetFileName(f))))
                pending.Push(child);
        }
    }

    (string Folder, string? RootNamespace) FindProject(string path)
    {
        var folder = Path.GetDirectoryName(path);
        while (!string.IsNullOrEmpty(folder))
        {
            string[] projectFiles;
            try
            {
                projectFiles = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.csproj") : Array.Empty<string>();
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                projectFiles = Array.Empty<string>();
            }
            if (projectFiles.Length > 0)
                return (folder, ReadRootNamespace(projectFiles.OrderBy(f => f, StringComparer.Ordinal).First()));
            if (Root != null && string.Equals(Path.TrimEndingDirectorySeparator(folder), Path.TrimEndingDirectorySeparator(Root), StringComparison.Ordinal))
                break;
            folder = Path.GetDirectoryName(folder);
        }
        return (Root ?? Path.GetDirectoryName(path) ?? "", null);
    }

    // MSBuild's default RootNamespace is the project file's name; a project may set its own.
    static string ReadRootNamespace(string projectFile)
    {
        try
        {
            var declared = XDocument.Load(projectFile).Descendants().FirstOrDefault(e => e.Name.LocalName == "RootNamespace")?.Value.Trim();
            if (!string.IsNullOrEmpty(declared) && !declared.Contains("$("))
                return declared;
        }
        catch (Exception exception) when (exception is IOException || exception is System.Xml.XmlException || exception is UnauthorizedAccessException)
        {
        }
        return Path.GetFileNameWithoutExtension(projectFile);
    }
}
