using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Certification.Api.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ArchivePreviousVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "PreviousRemovedAt",
                table: "ArchiveExtensions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveExtensions_PreviousRemovedAt_ExtendedAt",
                table: "ArchiveExtensions",
                columns: new[] { "PreviousRemovedAt", "ExtendedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ArchiveExtensions_PreviousRemovedAt_ExtendedAt",
                table: "ArchiveExtensions");

            migrationBuilder.DropColumn(
                name: "PreviousRemovedAt",
                table: "ArchiveExtensions");
        }
    }
}
