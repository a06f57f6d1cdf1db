using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Certification.Api.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ArchiveExtensions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ProtectedUntil",
                table: "CertifiedCopies",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ArchiveExtensions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CertifiedCopyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    PreviousSha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    ExtendedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ProtectedUntilBefore = table.Column<long>(type: "INTEGER", nullable: true),
                    ProtectedUntilAfter = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArchiveExtensions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ArchiveExtensions_CertifiedCopies_CertifiedCopyId",
                        column: x => x.CertifiedCopyId,
                        principalTable: "CertifiedCopies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CertifiedCopies_Status_ProtectedUntil",
                table: "CertifiedCopies",
                columns: new[] { "Status", "ProtectedUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveExtensions_CertifiedCopyId_Sequence",
                table: "ArchiveExtensions",
                columns: new[] { "CertifiedCopyId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveExtensions_PreviousSha256",
                table: "ArchiveExtensions",
                column: "PreviousSha256");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ArchiveExtensions");

            migrationBuilder.DropIndex(
                name: "IX_CertifiedCopies_Status_ProtectedUntil",
                table: "CertifiedCopies");

            migrationBuilder.DropColumn(
                name: "ProtectedUntil",
                table: "CertifiedCopies");
        }
    }
}
